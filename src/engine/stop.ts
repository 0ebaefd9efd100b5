import type { ReasonClass } from './types.ts';

/** Why a build, stage or step was stopped: the AbortSignal reason the engine uses. */
export interface StopCause {
  reason: Extract<ReasonClass, 'cancelled' | 'timeout'>;
  message: string;
}

/** An AbortController that follows `parent` and, after `ms`, stops itself with a timeout. */
export interface Deadline {
  signal: AbortSignal;
  /** The StopCause once aborted, else null. */
  cause(): StopCause | null;
  abort(cause: StopCause): void;
  dispose(): void;
}

/** Links a child controller to `parent` (keeping its cause) and arms an optional timeout. */
export function deadline(parent: AbortSignal, ms: number | null, timeoutMessage: string): Deadline {
  const controller = new AbortController();
  const abort = (cause: StopCause) => {
    if (!controller.signal.aborted) controller.abort(cause);
  };
  const onParent = () => abort(asCause(parent.reason));
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  const timer =
    ms === null ? null : setTimeout(() => abort({ reason: 'timeout', message: timeoutMessage }), ms);
  return {
    signal: controller.signal,
    cause: () => (controller.signal.aborted ? asCause(controller.signal.reason) : null),
    abort,
    dispose() {
      if (timer) clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

/** Any abort reason as a StopCause (a foreign reason counts as a cancellation). */
export function asCause(reason: unknown): StopCause {
  if (reason && typeof reason === 'object' && 'reason' in reason && 'message' in reason) {
    const { reason: kind, message } = reason as StopCause;
    if ((kind === 'cancelled' || kind === 'timeout') && typeof message === 'string')
      return { reason: kind, message };
  }
  return { reason: 'cancelled', message: 'cancelled' };
}

/** `90s`, `5m`, `2h`, `1500ms`: a duration for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}
