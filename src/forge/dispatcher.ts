import type { Logger } from 'pino';

/**
 * Runs webhook work off the request path: the ingress answers the forge at once and
 * the policy (which may call the forge's API) runs here, a few at a time.
 */
export interface EventDispatcher {
  /** Queues `work`; false when the backlog is full (answer 503 so the forge may redeliver). */
  submit(label: string, work: () => Promise<unknown>): boolean;
  /** Resolves when everything queued so far has run, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  readonly pending: number;
}

/** A bounded in-process dispatcher; failures are logged with their label. */
export function createEventDispatcher(options: {
  logger: Logger;
  concurrency?: number;
  backlog?: number;
}): EventDispatcher {
  const concurrency = options.concurrency ?? 8;
  const backlog = options.backlog ?? 1000;
  const waiting: Array<{ label: string; work: () => Promise<unknown> }> = [];
  const idle: Array<() => void> = [];
  let active = 0;

  const next = () => {
    while (active < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      active += 1;
      job
        .work()
        .catch((err: unknown) =>
          options.logger.error({ err, delivery: job.label }, 'webhook handling failed'),
        )
        .finally(() => {
          active -= 1;
          next();
        });
    }
    if (active === 0 && waiting.length === 0) for (const resolve of idle.splice(0)) resolve();
  };

  return {
    submit(label, work) {
      if (waiting.length >= backlog) return false;
      waiting.push({ label, work });
      next();
      return true;
    },
    async drain(timeoutMs) {
      if (active === 0 && waiting.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => idle.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
    get pending() {
      return active + waiting.length;
    },
  };
}
