import type { Queue } from 'bullmq';

/** Moves parked (delayed) jobs of these builds to the front of work now that they have slots. */
export function waker(queue: Queue): (ids: string[]) => Promise<void> {
  return async (ids) => {
    await Promise.all(
      ids.map(async (id) => {
        const job = await queue.getJob(id);
        // Not delayed (not parked yet, or already woken): its worker finds the slots itself.
        await job?.promote().catch(() => {});
      }),
    );
  };
}
