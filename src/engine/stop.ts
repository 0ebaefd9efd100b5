import { type StopError, stopOf } from '../stop-reasons.ts';

/** An AbortController that follows `parent` and, once `timeout` is due, stops itself with it. */
export interface Deadline {
  signal: AbortSignal;
  /** Why it was stopped (the parent's reason or its own timeout), else null. */
  cause(): StopError | null;
  abort(stop: StopError): void;
  dispose(): void;
}

/**
 * Links a child controller to `parent` (keeping its reason) and arms an optional
 * timeout: `timeout.error()` is the stop reason it aborts with after `timeout.ms`.
 * The engine is the only owner of step and build timeouts; runtimes only see the signal.
 */
export function deadline(
  parent: AbortSignal,
  timeout: { ms: number; error: () => StopError } | null,
): Deadline {
  const controller = new AbortController();
  const abort = (stop: StopError) => {
    if (!controller.signal.aborted) controller.abort(stop);
  };
  const onParent = () => abort(stopOf(parent.reason));
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = timeout === null ? null : setTimeout(() => abort(timeout.error()), timeout.ms);
  return {
    signal: controller.signal,
    cause: () => (controller.signal.aborted ? stopOf(controller.signal.reason) : null),
    abort,
    dispose() {
      if (timer) clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

/** `90s`, `5m`, `2h`, `1500ms`: a duration for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 3_600_000).toFixed(1)}h`;
}
