import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { isRetryable } from '../errors.ts';
import { closeQueue, dropWorker } from '../queue/bull-close.ts';
import type { RedisClient } from '../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import { settlesWithin, valueWithin } from '../within.ts';
import type { EventDispatcher, EventHandler } from './dispatcher.ts';

/** Where the queue lives and how it is worked. */
export interface DurableDispatcherOptions {
  /** BullMQ connection (`maxRetriesPerRequest: null`); not closed by the dispatcher. */
  connection: RedisClient;
  logger: Logger;
  /** Queue names and prefix (default: under `berth`). */
  keys?: RedisKeys;
  /** Events handled at once in this process. */
  concurrency?: number;
  /** Tries per event when its handler fails with a retryable (src/errors.ts) error. */
  attempts?: number;
  /** First retry delay; doubles each time. */
  backoffMs?: number;
  /** How long the ingress waits for Redis to store an event before answering 503. */
  enqueueTimeoutMs?: number;
}

/** The durable dispatcher; `start` begins handling once every kind is registered. */
export interface DurableDispatcher extends EventDispatcher {
  start(): void;
}

const KEEP_DONE = { age: 24 * 3600 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

/** BullMQ job ids may not contain ':' (nor be integers): escape, and prefix with the kind. */
const eventJobId = (kind: string, id: string): string =>
  `${kind}-${id.replaceAll('%', '%25').replaceAll(':', '%3A')}`;

/**
 * Webhook hand-off through Redis: `submit` stores the event in its kind's queue
 * (`events-github`… under the key plan's queue prefix; job id from the delivery id, so a redelivery is handled
 * once) before the ingress answers; a worker per registered kind runs its handler,
 * retrying retryable errors with backoff. Events accepted while no worker runs wait
 * in Redis, and a process only takes the kinds it has handlers for.
 */
export function createDurableDispatcher(o: DurableDispatcherOptions): DurableDispatcher {
  const keys = o.keys ?? redisKeys();
  const bull = { connection: o.connection, prefix: keys.bullPrefix };
  const attempts = o.attempts ?? 4;
  const lanes = new Map<string, { queue: Queue<unknown>; handler: EventHandler | null }>();
  const workers: Worker<unknown>[] = [];
  let started = false;
  let closing: Promise<void> | null = null;

  const laneOf = (kind: string) => {
    let lane = lanes.get(kind);
    if (!lane) {
      const queue = new Queue<unknown>(keys.queues.events(kind), bull);
      queue.on('error', (err) => o.logger.debug({ err, kind }, 'event queue connection error'));
      lane = { queue, handler: null };
      lanes.set(kind, lane);
    }
    return lane;
  };

  const work = (kind: string, handler: EventHandler) => {
    const worker = new Worker<unknown>(
      keys.queues.events(kind),
      async (job: Job<unknown>) => {
        try {
          await handler(job.data, { at: new Date(job.timestamp).toISOString() });
        } catch (err) {
          const retry = isRetryable(err) && job.attemptsMade + 1 < attempts;
          const meta = { err, kind, job: job.id, attempt: job.attemptsMade + 1 };
          if (retry) o.logger.warn(meta, 'webhook handling failed; retrying');
          else o.logger.error(meta, 'webhook handling failed; event dropped');
          if (!isRetryable(err))
            throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
          throw err;
        }
      },
      {
        ...bull,
        concurrency: o.concurrency ?? 8,
        removeOnComplete: KEEP_DONE,
        removeOnFail: KEEP_FAILED,
      },
    );
    worker.on('error', (err) => o.logger.warn({ err, kind }, 'event worker error'));
    workers.push(worker);
  };

  const closeWorker = async (worker: Worker<unknown>, timeoutMs: number) => {
    const done = worker.close();
    if (await settlesWithin(done, timeoutMs)) return;
    o.logger.warn({ queue: worker.name }, 'event worker did not stop in time; dropping its connections');
    await dropWorker(worker);
  };

  const close = async (timeoutMs: number) => {
    await Promise.all(workers.map((worker) => closeWorker(worker, timeoutMs)));
    await Promise.all([...lanes.values()].map(({ queue }) => closeQueue(queue)));
  };

  return {
    register(kind, handler) {
      const lane = laneOf(kind);
      lane.handler = handler;
      if (started && !closing) work(kind, handler);
    },
    start() {
      if (started || closing) return;
      started = true;
      for (const [kind, lane] of lanes) if (lane.handler) work(kind, lane.handler);
    },
    async submit(kind, id, data) {
      if (closing) return false;
      const jobId = eventJobId(kind, id);
      const add = laneOf(kind)
        .queue.add(kind, data, {
          jobId,
          attempts,
          backoff: { type: 'exponential', delay: o.backoffMs ?? 2000 },
          removeOnComplete: KEEP_DONE,
          removeOnFail: KEEP_FAILED,
        })
        .then(
          () => true,
          (err: unknown) => {
            o.logger.warn({ err, job: jobId }, 'storing a webhook event failed');
            return false;
          },
        );
      const stored = await valueWithin(add, o.enqueueTimeoutMs ?? 5000, null);
      if (stored === null) o.logger.warn({ job: jobId }, 'storing a webhook event timed out');
      return stored === true;
    },
    async drain(timeoutMs) {
      const until = Date.now() + timeoutMs;
      // Only the kinds this process handles: the others wait for their own workers.
      const queues = [...lanes.values()].filter((lane) => lane.handler).map((lane) => lane.queue);
      const pending = async () => {
        const counts = await Promise.all(
          queues.map((queue) =>
            queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
          ),
        );
        return counts.some((c) => Object.values(c).some((n) => n > 0));
      };
      while (Date.now() < until) {
        const busy = await valueWithin(pending(), Math.max(1, until - Date.now()), null).catch(() => null);
        if (busy === false) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close(timeoutMs) {
      closing ??= close(timeoutMs);
      return closing;
    },
  };
}
