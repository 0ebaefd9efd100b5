/** JSON shapes the fake keeps (only the fields it reads or writes; everything else passes through). */

/** One served request, for API-budget assertions. */
export interface RequestLogEntry {
  verb:
    | 'create'
    | 'get'
    | 'list'
    | 'watch'
    | 'delete'
    | 'deletecollection'
    | 'log'
    | 'exec'
    | 'patch'
    | 'update';
  resource: string;
  name?: string;
  namespace?: string;
  path: string;
  status: number;
  at: number;
}

/** Object metadata as JSON. */
export interface Meta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Any stored object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  [key: string]: unknown;
}

export interface EnvVarJson {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface EnvFromJson {
  prefix?: string;
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
}

export interface VolumeMountJson {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

export interface ContainerJson {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVarJson[];
  envFrom?: EnvFromJson[];
  volumeMounts?: VolumeMountJson[];
  [key: string]: unknown;
}

export interface KeyToPathJson {
  key: string;
  path: string;
}

export interface VolumeJson {
  name: string;
  emptyDir?: Record<string, unknown>;
  secret?: { secretName: string; items?: KeyToPathJson[]; optional?: boolean };
  configMap?: { name: string; items?: KeyToPathJson[]; optional?: boolean };
  [key: string]: unknown;
}

export interface PodSpecJson {
  containers: ContainerJson[];
  initContainers?: ContainerJson[];
  volumes?: VolumeJson[];
  restartPolicy?: string;
  nodeName?: string;
  activeDeadlineSeconds?: number;
  terminationGracePeriodSeconds?: number;
  [key: string]: unknown;
}

export interface ContainerStateJson {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    reason: string;
    message?: string;
    startedAt?: string;
    finishedAt: string;
    containerID?: string;
  };
}

export interface ContainerStatusJson {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerStateJson;
  lastState: ContainerStateJson;
}

export interface PodConditionJson {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

export interface PodStatusJson {
  phase: string;
  reason?: string;
  message?: string;
  conditions?: PodConditionJson[];
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  qosClass?: string;
  initContainerStatuses?: ContainerStatusJson[];
  containerStatuses?: ContainerStatusJson[];
}

export interface PodJson extends KubeObject {
  spec: PodSpecJson;
  status: PodStatusJson;
}

/** Fault hooks that make the fake misbehave the way a real API server sometimes does. */
export interface Faults {
  /** Destroy every open watch socket mid-stream. */
  dropWatches(): void;
  /** Stop sending on open watches for `ms` (events are held back, then delivered); returns a function ending the stall now. */
  stallWatches(ms: number): () => void;
  /** Write one line of broken JSON to every open watch. */
  malformedLine(): void;
  /** Forget the watch history: a resume from any resourceVersion before now gets HTTP 410. */
  expireHistory(): void;
  /** Send an ERROR event carrying a 410 Expired v1.Status on every open watch, then end them. */
  goneWatches(): void;
  /** Send a BOOKMARK now on every open watch that asked for bookmarks. */
  bookmark(): void;
  /** The next `n` watch requests answer HTTP 500 with a v1.Status. */
  watchErrors(n: number): void;
  /** The next `n` watch requests get no answer at all (no status line): the client must give up by itself. */
  unansweredWatches(n: number): void;
  /** The next `n` log requests answer 500 with a v1.Status. */
  logErrors(n: number): void;
  /** The next `n` exec requests answer 500 with a v1.Status (before the WebSocket upgrade). */
  execErrors(n: number): void;
}
