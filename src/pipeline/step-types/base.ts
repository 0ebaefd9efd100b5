import type { FieldReader } from '../fields.ts';
import type { ToolImages } from '../options.ts';
import type { PlannedMount, PlannedStep } from '../types.ts';

/** Where every step finds the source. */
export const REPO_DIR = '/mnt/repo';
/** Kubeconfig ConfigMap mount of helm and kubectl steps. */
export const KUBE_DIR = '/root/.kube';
/** ConfigMap holding extra CA certificates (key `ca-certificates.crt`). */
export const CA_CONFIG_MAP = 'ca-certificates-config';

/** What a step type's planner gets. */
export interface StepContext {
  read: FieldReader;
  images: ToolImages;
  /** BERTH_BUILD/BERTH_STAGE/BERTH_STEP… for the step's env. */
  labels: Record<string, string>;
}

/** A step with the defaults every type starts from. */
export function baseStep(ctx: StepContext, image: string, command: string[]): PlannedStep {
  const { step } = ctx.read;
  return {
    stage: step.stage,
    name: step.name,
    type: step.type,
    image,
    command,
    repoDir: REPO_DIR,
    workingDir: REPO_DIR,
    env: { ...ctx.labels },
    secretEnv: [],
    envFromSecrets: [],
    mounts: [],
    serviceAccount: null,
    source: { kind: 'repo' },
    tools: [],
    os: 'linux',
  };
}

/** The kubeconfig ConfigMap named by a helm/kubectl `cluster` field. */
export function kubeconfigMount(cluster: string): PlannedMount {
  return { name: 'kubeconfig', kind: 'configMap', source: cluster, mountPath: KUBE_DIR, readOnly: true };
}

/** Extra CA certificates mounted at a path of the user's choice. */
export function certificatesMount(mountPath: string): PlannedMount {
  return { name: 'certificates', kind: 'configMap', source: CA_CONFIG_MAP, mountPath, readOnly: true };
}

/** Replaces the tag of an image reference (`alpine/helm:3.16.2` + `3.8.1`). */
export function withTag(image: string, tag: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const name = colon > slash ? image.slice(0, colon) : image;
  return `${name.split('@')[0]}:${tag}`;
}
