import type { BuildRecord, BuildRequest } from '../builds/types.ts';
import type { BuildEvent, BuildResult } from '../engine/types.ts';
import type { ForgeAdapter } from '../forge/types.ts';
import type { LogSink } from '../logs/types.ts';
import type { BuildPlan, ConcurrencyPlan } from '../pipeline/types.ts';

/** Everything one run of a build gets from the worker. */
export interface BuildRun {
  id: string;
  buildRef: number;
  request: BuildRequest;
  /**
   * The build planned before, logged what planning said, then waited for its slots and was
   * woken: planning again logs none of it a second time.
   */
  plannedBefore?: boolean;
  /** The build `request.reuseFrom` names, as stored (a `/retest` reuses its successful steps). */
  earlier?: BuildRecord | null;
  adapter: ForgeAdapter;
  sink: LogSink;
  signal: AbortSignal;
  /** The commit the source was fetched at. */
  onSource(sha: string): void;
  /** The plan is known: the record gets its stages. */
  onPlan(plan: BuildPlan): void;
  onEvent(event: BuildEvent): void;
  /**
   * Called once the plan is known, before the source is fetched: resolves when the build
   * has its slots (its concurrency group and fair share), else throws and the build waits.
   */
  admit?(concurrency: ConcurrencyPlan | undefined): Promise<void>;
}

/**
 * Reads the pipeline, plans it, fetches the source and runs it. Returns the build's
 * result; throws typed errors (src/errors.ts) for everything else, e.g. ConfigError
 * for an invalid `.wharf-ci.yml`.
 */
export type BuildRunner = (run: BuildRun) => Promise<BuildResult>;
