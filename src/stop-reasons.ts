import { BerthError } from './errors.ts';
import type { ReasonClass } from './vocab/index.ts';

/**
 * Why a build or step was stopped before it ended on its own: one class per reason,
 * used as the AbortSignal reason (or returned by a runtime that stopped a step itself).
 * `stopOutcome` is the one place a stop reason becomes a step or build outcome.
 */
export abstract class StopError extends BerthError {}

/** Cancelled by a user, a forge (`/cancel`, PR closed, superseded) or the operation's caller. */
export class CancelledError extends StopError {
  constructor(message = 'cancelled') {
    super(message || 'cancelled', { retryable: false, reason: 'cancelled' });
  }
}

/** A sibling step of the same stage failed: the rest of the stage is stopped (fail-fast). */
export class SiblingFailedError extends CancelledError {}

/** The step ran past its step timeout (BERTH_STEP_TIMEOUT_MINUTES), or its pod past its deadline. */
export class StepTimeoutError extends StopError {
  constructor(message: string) {
    super(message, { retryable: false, reason: 'timeout' });
  }
}

/** The build ran past its build timeout (BERTH_BUILD_TIMEOUT_MINUTES). */
export class BuildTimeoutError extends StopError {
  constructor(message: string) {
    super(message, { retryable: false, reason: 'timeout' });
  }
}

/** A runtime could not place the step within its scheduling timeout (Kubernetes: Unschedulable). */
export class SchedulingTimeoutError extends StopError {
  constructor(message: string) {
    super(message, { retryable: true, reason: 'scheduling' });
  }
}

/** Another worker owns the build now: stop without writing anything to its record. */
export class TakenOverError extends StopError {
  constructor(message = 'the build was taken over') {
    super(message, { retryable: false, reason: 'cancelled' });
  }
}

/** This worker is shutting down: the build goes back to the queue, its record left as it was. */
export class HandBackError extends StopError {
  constructor(message = 'worker shutting down') {
    super(message, { retryable: true, reason: 'cancelled' });
  }
}

/** No worker will finish the build: its job was lost, or its workers died too often (the stalled limit). */
export class WorkerLostError extends StopError {
  constructor(message: string) {
    super(message, { retryable: false, reason: 'infrastructure' });
  }
}

/** How a step or build stopped for `stop` ends. */
export interface StopOutcome {
  status: 'failed' | 'error' | 'cancelled';
  reason: ReasonClass;
  message: string;
}

/**
 * The one mapping from stop reason to outcome: a timeout is the pipeline's own doing
 * (`failed`, reason `timeout`), whichever runtime ran it; a step that could not be
 * scheduled, or a build no worker will finish, is the infrastructure's (`error`, reason
 * `scheduling` / `infrastructure`); every other stop is `cancelled` (a taken-over or
 * handed-back build's record is left to its new owner).
 */
export function stopOutcome(stop: StopError): StopOutcome {
  const { message } = stop;
  if (stop instanceof StepTimeoutError || stop instanceof BuildTimeoutError)
    return { status: 'failed', reason: 'timeout', message };
  if (stop instanceof SchedulingTimeoutError) return { status: 'error', reason: 'scheduling', message };
  if (stop instanceof WorkerLostError) return { status: 'error', reason: 'infrastructure', message };
  return { status: 'cancelled', reason: 'cancelled', message };
}

/** Any abort reason as a StopError: a foreign reason (a bare `abort()`, a string) is a cancellation. */
export function stopOf(reason: unknown): StopError {
  if (reason instanceof StopError) return reason;
  if (typeof reason === 'string') return new CancelledError(reason);
  return new CancelledError();
}
