import type {
  V1Container,
  V1EnvVar,
  V1Pod,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { PlannedMount, PlannedStep } from '../../pipeline/types.ts';
import { BUILD_ID_ANNOTATION, CONTAINERS, LABELS, labelValue, podName } from './names.ts';

/** Cluster-wide pod settings from configuration. */
export interface PodSettings {
  helperImage: string;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> } | null;
  nodeSelector: Record<string, string> | null;
  tolerations: Array<Record<string, unknown>> | null;
  imagePullSecrets: string[];
  /** Upper bound on the pod's life (activeDeadlineSeconds), so a dead worker leaves nothing running. */
  activeDeadlineSeconds: number;
}

/** Where the init container's control files live (never visible to the step). */
export const CONTROL_DIR = '/berth';
/** File whose existence tells the init container the source is in place. */
export const READY_FILE = `${CONTROL_DIR}/ready`;

/** Unprivileged uid/gid of the helper (init) container: it only extracts an archive into emptyDirs. */
export const HELPER_UID = 65532;

/**
 * Capabilities a step keeps: the container runtime's defaults minus NET_RAW and MKNOD.
 * Build images usually run as root (package installs chown and setuid), so the step keeps
 * the image's user, but it can neither raise privileges (setuid binaries, file caps) nor
 * forge packets or create devices.
 */
const STEP_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/** The helper runs as non-root with nothing: no capabilities, no escalation, read-only root. */
const HELPER_SECURITY: V1SecurityContext = {
  runAsNonRoot: true,
  runAsUser: HELPER_UID,
  runAsGroup: HELPER_UID,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

const STEP_SECURITY: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'], add: STEP_CAPABILITIES },
};

const SOURCE_VOLUME = 'berth-source';
const CONTROL_VOLUME = 'berth-control';

/**
 * The kubelet expands `$(VAR)` in command, args and env values and turns `$$` into `$`:
 * doubling every `$` delivers the text unchanged.
 */
export const escapeKubeletVars = (text: string): string => text.replaceAll('$', () => '$$');

/**
 * Waits (as PID 1, which ignores signals it has no handler for) until the exec'd upload
 * marks the source ready and sends USR1; `wait` returns at once on a trapped signal, and
 * the ready file is polled as a fallback. TERM/INT end it on deletion.
 */
const INIT_SCRIPT = `trap 'exit 0' USR1; trap 'exit 143' TERM INT; while [ ! -e ${READY_FILE} ]; do sleep 1 & wait $!; done`;

/**
 * Run by the exec (no kubelet expansion there): extract exactly `bytes` of stdin (so no
 * stdin EOF is needed); make what was extracted group-writable, for the pod's fsGroup
 * that the step shares whatever its image's user (the volume's own folder belongs to
 * root and keeps its mode; symlinks are left alone, chmod would follow them); then end
 * as `touch` itself, so the exec's own process has exited before PID 1 is woken (a PID
 * namespace's processes die with its PID 1).
 */
export const uploadScript = (bytes: number): string =>
  `head -c ${bytes} | tar -x -f - -C "$0" && find "$0" -mindepth 1 ! -type l -exec chmod g+rwX {} + && { (sleep 0.05 2>/dev/null || sleep 1; kill -USR1 1) </dev/null >/dev/null 2>&1 & exec touch ${READY_FILE}; }`;

/** The pod running one step: an init container receiving the source, then the step's container. */
export function buildPod(
  build: { id: string; instance: string },
  step: PlannedStep,
  settings: PodSettings,
  attempt = 0,
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(build.id, step.stage, step.name, attempt),
      labels: {
        [LABELS.build]: labelValue(build.id),
        [LABELS.stage]: labelValue(step.stage),
        [LABELS.step]: labelValue(step.name),
        [LABELS.instance]: labelValue(build.instance),
      },
      annotations: {
        [BUILD_ID_ANNOTATION]: build.id,
        'berth.dev/stage-name': step.stage,
        'berth.dev/step-name': step.name,
      },
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: step.serviceAccount !== null,
      ...(step.serviceAccount !== null ? { serviceAccountName: step.serviceAccount } : {}),
      enableServiceLinks: false,
      // fsGroup: the source volume and the files the helper extracts belong to this group,
      // which every container of the pod has, so a step whose image runs as another
      // non-root user can still write to its source (it is the helper's own group).
      securityContext: { seccompProfile: { type: 'RuntimeDefault' }, fsGroup: HELPER_UID },
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      terminationGracePeriodSeconds: 10,
      ...(settings.nodeSelector ? { nodeSelector: settings.nodeSelector } : {}),
      ...(settings.tolerations ? { tolerations: settings.tolerations } : {}),
      ...(settings.imagePullSecrets.length > 0
        ? { imagePullSecrets: settings.imagePullSecrets.map((name) => ({ name })) }
        : {}),
      initContainers: [initContainer(step, settings)],
      containers: [stepContainer(step, settings)],
      volumes: [
        { name: SOURCE_VOLUME, emptyDir: {} },
        { name: CONTROL_VOLUME, emptyDir: {} },
        ...step.mounts.map(volumeFor),
      ],
    },
  };
}

function initContainer(step: PlannedStep, settings: PodSettings): V1Container {
  return {
    name: CONTAINERS.source,
    image: settings.helperImage,
    command: ['sh', '-c', escapeKubeletVars(INIT_SCRIPT)],
    volumeMounts: [
      { name: SOURCE_VOLUME, mountPath: step.repoDir },
      { name: CONTROL_VOLUME, mountPath: CONTROL_DIR },
    ],
    securityContext: HELPER_SECURITY,
    ...(settings.resources ? { resources: settings.resources } : {}),
  };
}

function stepContainer(step: PlannedStep, settings: PodSettings): V1Container {
  const env: V1EnvVar[] = [
    ...Object.entries(step.env).map(([name, value]) => ({ name, value: escapeKubeletVars(value) })),
    ...step.secretEnv.map((ref) => ({
      name: ref.name,
      valueFrom: {
        secretKeyRef: {
          name: ref.secretName,
          key: ref.key,
          ...(ref.optional !== undefined ? { optional: ref.optional } : {}),
        },
      },
    })),
  ];
  return {
    name: CONTAINERS.step,
    image: step.image,
    command: step.command.map(escapeKubeletVars),
    workingDir: step.workingDir,
    env,
    envFrom: step.envFromSecrets.map((name) => ({ secretRef: { name } })),
    volumeMounts: [{ name: SOURCE_VOLUME, mountPath: step.repoDir }, ...step.mounts.map(mountFor)],
    // Only what the step writes to /dev/termination-log: never its log text, which can hold
    // secrets the build does not know of (values of Secrets it mounts).
    terminationMessagePolicy: 'File',
    securityContext: STEP_SECURITY,
    ...(settings.resources ? { resources: settings.resources } : {}),
  };
}

function volumeFor(mount: PlannedMount): V1Volume {
  const common = {
    ...(mount.items ? { items: mount.items } : {}),
    ...(mount.optional !== undefined ? { optional: mount.optional } : {}),
  };
  return mount.kind === 'secret'
    ? { name: mount.name, secret: { secretName: mount.source, ...common } }
    : { name: mount.name, configMap: { name: mount.source, ...common } };
}

function mountFor(mount: PlannedMount): V1VolumeMount {
  return {
    name: mount.name,
    mountPath: mount.mountPath,
    readOnly: mount.readOnly,
    ...(mount.subPath !== undefined ? { subPath: mount.subPath } : {}),
  };
}
