/**
 * The root `rerun` key: `all`: every rerun runs every step (no step reuse); `failed`
 * (the default): `/retest` runs the failed steps again and reuses those that succeeded.
 */
export type RerunMode = 'all' | 'failed';

/** A problem found in a `.wharf-ci.yml`: always positioned, never thrown. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Path of the file as given to the parser (used in `FILE:LINE:COL` output). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Scope path such as `build/my-step/docker/tag`; empty at the root. */
  path: string;
  message: string;
}

export type RunsIf = 'success' | 'fail' | 'always';

export type StepType = 'container' | 'docker' | 'helm' | 'helm-package' | 'kubectl' | 'nuget-package';

/** Environment variable filled from a Kubernetes secret key (never an inline value). */
export interface SecretKeyEnv {
  name: string;
  secretName: string;
  key: string;
  optional?: boolean;
}

/** A volume a step needs mounted, by reference only. */
export interface PlannedMount {
  /** Volume name, unique within the step (DNS label). */
  name: string;
  kind: 'secret' | 'configMap';
  /** Name of the Secret / ConfigMap. */
  source: string;
  mountPath: string;
  /** Mount only these keys (key → relative path); all keys when absent. */
  items?: Array<{ key: string; path: string }>;
  /** Mount one key as a file at mountPath (Kubernetes `subPath`). */
  subPath?: string;
  readOnly: boolean;
  optional?: boolean;
}

/** What a step gets of the source tree. */
export type PlannedSource =
  /** The whole working tree (honouring .gitignore), mounted at PlannedStep.repoDir. */
  | { kind: 'repo' }
  /**
   * Only the listed repo-relative files (helm `files`, kubectl `file(s)`); the ones
   * marked `substitute` get `${var}` substitution on their contents before they
   * reach the step (see BuildPlan.variables).
   */
  | { kind: 'files'; files: Array<{ path: string; substitute: boolean }> };

/**
 * One step, resolved: everything a runtime needs and no step-type knowledge left.
 * `command` is the literal argv to execute; runtimes must deliver it unchanged
 * (the Kubernetes runtime escapes `$(VAR)` expansion itself).
 */
export interface PlannedStep {
  /** Stage name (as in the file). */
  stage: string;
  /** Step name (as in the file). */
  name: string;
  type: StepType;
  /** Container image (for non-container types: the configured tool image). */
  image: string;
  /** argv, e.g. ['/bin/sh', '-c', script]. */
  command: string[];
  /** Absolute path inside the container where the source is placed, e.g. `/mnt/repo`. */
  repoDir: string;
  /** Working directory: absolute, inside the container (usually === repoDir). */
  workingDir: string;
  /** Plain environment variables (values already substituted, may contain secrets → see BuildPlan.secrets). */
  env: Record<string, string>;
  /** Env vars from secret keys. */
  secretEnv: SecretKeyEnv[];
  /** Whole secrets exposed as env (`envFrom`). */
  envFromSecrets: string[];
  mounts: PlannedMount[];
  /** Service account to run as; null = none, and no token is mounted. */
  serviceAccount: string | null;
  source: PlannedSource;
  /** Executables the command needs; the local runtime checks them on PATH (e.g. ['helm']). */
  tools: string[];
  os: 'linux';
}

export interface PlannedStage {
  name: string;
  runsIf: RunsIf;
  steps: PlannedStep[];
}

/** A build's concurrency group: builds with equal groups share `limit` slots. */
export interface ConcurrencyPlan {
  /** The group name, variables substituted. */
  group: string;
  limit: number;
  /** A newer build of the group cancels the older running and waiting ones. */
  cancelInProgress: boolean;
}

export interface BuildPlan {
  /** Selected environment, or null. */
  environment: string | null;
  /** Resolved input values (password values included: redact with `secrets`). */
  inputs: Record<string, string | number>;
  /** Names of the inputs that are passwords. */
  secretInputs: string[];
  /** Literal values that must never reach a log line, status or comment. */
  secrets: string[];
  /** Variables in effect (for substituting into `files` contents). */
  variables: Record<string, string>;
  stages: PlannedStage[];
  /** The root `concurrency` group; absent when the file has none. */
  concurrency?: ConcurrencyPlan;
  /** `rerun: all` at the top of the file: reruns never reuse steps. Absent: `failed`. */
  rerun?: RerunMode;
  /** Why no stage runs, when none does: `the file defines no stages`, `no stage runs with environment "prod"`. */
  nothingRuns?: string;
}

export interface PlanResult {
  plan: BuildPlan;
  /** Errors and warnings, sorted by position. The plan is usable only when there are no errors. */
  diagnostics: Diagnostic[];
}
