import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isRetryable } from '../errors.ts';
import { settlesWithin, valueWithin } from '../within.ts';
import type { EventDispatcher, EventHandler } from './dispatcher.ts';

/** The BullMQ queue accepted webhook deliveries wait in until the policy has run. */
export const EVENT_QUEUE = 'berth-events';

/** One queued delivery: the handler's kind and its plain JSON data. */
export interface EventJobData {
  kind: string;
  data: unknown;
}

/** Where the queue lives and how it is worked. */
export interface DurableDispatcherOptions {
  /** BullMQ connection (`maxRetriesPerRequest: null`); not closed by the dispatcher. */
  connection: Redis;
  logger: Logger;
  queueName?: string;
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
export const eventJobId = (kind: string, id: string): string =>
  `${kind}-${id.replaceAll('%', '%25').replaceAll(':', '%3A')}`;

/**
 * Webhook hand-off through Redis: `submit` stores the event in the `berth-events`
 * queue (job id from the delivery id, so a redelivery is handled once) before the
 * ingress answers; a worker in this process runs the registered handler, retrying
 * retryable errors with backoff. Events accepted while no worker runs wait in Redis.
 */
export function createDurableDispatcher(o: DurableDispatcherOptions): DurableDispatcher {
  const name = o.queueName ?? EVENT_QUEUE;
  const attempts = o.attempts ?? 4;
  const handlers = new Map<string, EventHandler>();
  const queue = new Queue<EventJobData>(name, { connection: o.connection });
  queue.on('error', (err) => o.logger.debug({ err }, 'event queue connection error'));
  let worker: Worker<EventJobData> | null = null;
  let closing: Promise<void> | null = null;

  const handle = async (job: Job<EventJobData>) => {
    const { kind, data } = job.data;
    const handler = handlers.get(kind);
    if (!handler) throw new UnrecoverableError(`no handler for ${kind} events`);
    try {
      await handler(data);
    } catch (err) {
      const retry = isRetryable(err) && job.attemptsMade + 1 < attempts;
      const meta = { err, kind, job: job.id, attempt: job.attemptsMade + 1 };
      if (retry) o.logger.warn(meta, 'webhook handling failed; retrying');
      else o.logger.error(meta, 'webhook handling failed; event dropped');
      if (!isRetryable(err)) throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
      throw err;
    }
  };

  const close = async (timeoutMs: number) => {
    if (worker) {
      const running = worker;
      const done = running.close();
      if (!(await settlesWithin(done, timeoutMs))) {
        // Redis is gone or a handler will not finish: the stalled-job check hands its event to the next worker.
        o.logger.warn({ queue: name }, 'event worker did not stop in time; dropping its connections');
        void running.close(true).catch(() => {});
        await settlesWithin(running.disconnect(), 1000);
      }
    }
    if (!(await settlesWithin(queue.close(), 2000))) await settlesWithin(queue.disconnect(), 1000);
  };

  return {
    register(kind, handler) {
      handlers.set(kind, handler);
    },
    start() {
      if (worker || closing) return;
      worker = new Worker<EventJobData>(name, handle, {
        connection: o.connection,
        concurrency: o.concurrency ?? 8,
        removeOnComplete: KEEP_DONE,
        removeOnFail: KEEP_FAILED,
      });
      worker.on('error', (err) => o.logger.warn({ err }, 'event worker error'));
    },
    async submit(kind, id, data) {
      if (closing) return false;
      const jobId = eventJobId(kind, id);
      const add = queue
        .add(
          kind,
          { kind, data },
          {
            jobId,
            attempts,
            backoff: { type: 'exponential', delay: o.backoffMs ?? 2000 },
            removeOnComplete: KEEP_DONE,
            removeOnFail: KEEP_FAILED,
          },
        )
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
      while (Date.now() < until) {
        const counts = await valueWithin(
          queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
          Math.max(1, until - Date.now()),
          null,
        ).catch(() => null);
        if (counts && Object.values(counts).every((n) => n === 0)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close(timeoutMs) {
      closing ??= close(timeoutMs);
      return closing;
    },
  };
}
