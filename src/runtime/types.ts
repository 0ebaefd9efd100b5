import type { StepOutput } from '../logs/types.ts';
import type { BuildPlan, PlannedStep } from '../pipeline/types.ts';
import type { StopError } from '../stop-reasons.ts';
import type { ReasonClass } from '../vocab/index.ts';

export type RuntimeKind = 'local' | 'kubernetes' | 'docker';

/** The files of the commit being built, on the worker's disk. */
export interface BuildSource {
  /** Absolute folder: a checkout, an extracted forge archive, or the user's working tree. */
  dir: string;
  /** Leave out files that .gitignore ignores (`berth run --no-gitignore` turns this off). */
  respectGitignore: boolean;
}

/** The repository a bot build belongs to: `github` + `acme/app`. */
export interface RepositoryId {
  forge: string;
  repo: string;
}

export interface BuildContext {
  /** Unique build id (also used in pod names / labels). */
  id: string;
  /**
   * Whose build this is; set for the bot's builds, whose steps may use only the
   * namespace objects granted to this repository. Absent for `berth run`.
   */
  repository?: RepositoryId;
  /** Which Berth installation runs it (`berth.dev/instance` label). */
  instance: string;
  plan: BuildPlan;
  source: BuildSource;
}

export interface StepIO {
  output: StepOutput;
}

/**
 * How one step ended, as the runtime saw it. Never thrown: returned. `cancelled`: its
 * signal was aborted (the engine knows why); `stopped`: the runtime stopped it itself
 * for a stop reason (e.g. Kubernetes: not scheduled in time). Step and build timeouts
 * are the engine's alone: a runtime never arms its own.
 */
export type StepOutcome =
  | { status: 'success'; exitCode: 0 }
  | { status: 'failed'; exitCode: number; message: string }
  | {
      status: 'error';
      reason: ReasonClass;
      message: string;
      exitCode?: number;
      /**
       * Whether running the step again may succeed: `infrastructure` errors are retried
       * unless this is false, other reasons only when it is true (an image pull that
       * timed out or got a 5xx). The engine retries (BERTH_INFRA_RETRIES).
       */
      retryable?: boolean;
    }
  | { status: 'cancelled'; message: string }
  | { status: 'stopped'; stop: StopError };

/**
 * A place steps run. The engine never sees a process or a pod.
 * `open` prepares one build (e.g. starts the pod watch, packs the source) and the
 * returned session runs its steps; `cleanup` always runs, on its own time budget,
 * even after the build's signal was aborted.
 */
export interface Runtime {
  readonly kind: RuntimeKind;
  /** Kubernetes: the namespace step pods run in and why that one (shown by `berth run`/`plan`). */
  readonly namespace?: { readonly name: string; readonly reason: string };
  /**
   * A hint that a build of `source` is about to be opened (`berth run`, while it
   * plans): the runtime may start reading the source. Aborting `signal` says no
   * build will be opened after all. Optional; never fails.
   */
  prepare?(source: BuildSource, signal: AbortSignal): void;
  open(build: BuildContext, signal: AbortSignal): Promise<RuntimeSession>;
}

export interface RuntimeSession {
  /** Resolves when the step has ended; aborting `signal` stops it and resolves `cancelled`. */
  runStep(step: PlannedStep, io: StepIO, signal: AbortSignal): Promise<StepOutcome>;
  cleanup(): Promise<void>;
}
