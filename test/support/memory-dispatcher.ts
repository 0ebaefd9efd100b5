// An in-memory EventDispatcher for unit tests of the ingresses: a bounded backlog, no
// persistence, no retries; data goes through JSON as it would through Redis.
import type { Logger } from 'pino';
import type { EventDispatcher, EventHandler } from '../../src/forge/dispatcher.ts';

/** The in-memory dispatcher: a bounded backlog, no persistence, no retries. */
export interface MemoryEventDispatcher extends EventDispatcher {
  readonly pending: number;
}

/** An in-process dispatcher for unit tests; data goes through JSON as it would through Redis. */
export function createEventDispatcher(options: {
  logger: Logger;
  concurrency?: number;
  backlog?: number;
}): MemoryEventDispatcher {
  const concurrency = options.concurrency ?? 8;
  const backlog = options.backlog ?? 1000;
  const handlers = new Map<string, EventHandler>();
  const seen = new Set<string>();
  const waiting: Array<{ kind: string; id: string; data: unknown; at: string }> = [];
  const idle: Array<() => void> = [];
  let active = 0;

  const run = async (job: { kind: string; id: string; data: unknown; at: string }) => {
    const handler = handlers.get(job.kind);
    if (!handler) throw new Error(`no handler for ${job.kind} events`);
    await handler(job.data, { at: job.at });
  };
  const next = () => {
    while (active < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      active += 1;
      run(job)
        .catch((err: unknown) =>
          options.logger.error({ err, kind: job.kind, delivery: job.id }, 'webhook handling failed'),
        )
        .finally(() => {
          active -= 1;
          next();
        });
    }
    if (active === 0 && waiting.length === 0) for (const resolve of idle.splice(0)) resolve();
  };

  return {
    register(kind, handler) {
      handlers.set(kind, handler);
    },
    async submit(kind, id, data) {
      const key = `${kind}\n${id}`;
      if (seen.has(key)) return true;
      if (waiting.length >= backlog) return false;
      seen.add(key);
      waiting.push({ kind, id, data: JSON.parse(JSON.stringify(data)), at: new Date().toISOString() });
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
    close(timeoutMs) {
      return this.drain(timeoutMs);
    },
    get pending() {
      return active + waiting.length;
    },
  };
}
