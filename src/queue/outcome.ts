import { BerthError, ConfigError } from '../errors.ts';
import { StopError, stopOf, stopOutcome } from '../stop-reasons.ts';
import type { BuildState, ReasonClass } from '../vocab/index.ts';

/** How a build that did not produce a result ends. */
export interface Outcome {
  status: Extract<BuildState, 'failed' | 'error' | 'cancelled'>;
  reason: ReasonClass;
  message: string;
}

/**
 * The one place errors become build outcomes: config → failed; a stopped build (its
 * signal's reason, or a stop reason thrown) as `stopOutcome` says; the rest → error.
 */
export function outcomeOf(error: unknown, signal: AbortSignal): Outcome {
  if (error instanceof ConfigError) return { status: 'failed', reason: 'config', message: error.message };
  if (signal.aborted) return stopOutcome(stopOf(signal.reason));
  if (error instanceof StopError) return stopOutcome(error);
  if (error instanceof BerthError) return { status: 'error', reason: error.reason, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'error', reason: 'infrastructure', message: `internal error: ${message}` };
}
