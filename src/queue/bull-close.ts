import type { Queue, Worker } from 'bullmq';
import { settlesWithin } from '../within.ts';

/**
 * The last resort when a BullMQ worker's close did not finish (Redis is gone, or a job
 * will not let go): `close(true)` would only return the pending close, so the worker's
 * connections are dropped; the stalled-job check hands its jobs to the next worker.
 */
export async function dropWorker<T>(worker: Worker<T>): Promise<void> {
  void worker.close(true).catch(() => {});
  await settlesWithin(worker.disconnect(), 1000);
}

/** Closes a queue within 2 s, else drops its connection (Redis down at shutdown). */
export async function closeQueue<T>(queue: Queue<T>): Promise<void> {
  if (!(await settlesWithin(queue.close(), 2000))) await settlesWithin(queue.disconnect(), 1000);
}
