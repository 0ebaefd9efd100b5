import type { BuildState } from '../builds/types.ts';
import type { ReasonClass } from '../engine/types.ts';
import { BerthError, CancelledError, ConfigError } from '../errors.ts';

/** How a build that did not produce a result ends. */
export interface Outcome {
  status: Extract<BuildState, 'failed' | 'error' | 'cancelled'>;
  reason: ReasonClass;
  message: string;
}

/** The one place errors become build outcomes: config → failed, cancel → cancelled, the rest → error. */
export function outcomeOf(error: unknown, signal: AbortSignal): Outcome {
  if (signal.aborted && !(error instanceof ConfigError)) {
    return { status: 'cancelled', reason: 'cancelled', message: reasonText(signal.reason) };
  }
  if (error instanceof CancelledError)
    return { status: 'cancelled', reason: 'cancelled', message: error.message };
  if (error instanceof ConfigError) return { status: 'failed', reason: 'config', message: error.message };
  if (error instanceof BerthError) return { status: 'error', reason: error.reason, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'error', reason: 'infrastructure', message: `internal error: ${message}` };
}

/** The text of an abort reason (an Error's or cancel reason's message, a string, or 'cancelled'). */
export function reasonText(reason: unknown): string {
  if (typeof reason === 'string' && reason) return reason;
  if (reason && typeof reason === 'object' && 'message' in reason && typeof reason.message === 'string') {
    return reason.message || 'cancelled';
  }
  return 'cancelled';
}

/** The abort reason of a user cancel, in the shape the engine reads its message from. */
export function cancelReason(message: string): { reason: 'cancelled'; message: string } {
  return { reason: 'cancelled', message: message || 'cancelled' };
}
