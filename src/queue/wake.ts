import { Job, type Queue } from 'bullmq';
import type { BuildJobData } from './job-data.ts';

/**
 * Moves parked (delayed) jobs of these builds to the front of work now that they have
 * slots: promoted, then put first in line, ahead of builds not yet looked at (they were
 * requested later, or they would hold the slots). The job is named by its id (the build
 * id), never read. A job that is not delayed (not parked yet, or already woken) is left
 * alone: its worker finds the slots itself.
 */
export function waker(queue: Queue<BuildJobData>): (ids: string[]) => Promise<void> {
  return async (ids) => {
    await Promise.all(
      ids.map(async (id) => {
        const job = new Job<BuildJobData>(queue, 'build', { id, request: null }, {}, id);
        const promoted = await job.promote().then(
          () => true,
          () => false,
        );
        if (promoted) await job.changePriority({ priority: 0, lifo: true }).catch(() => {});
      }),
    );
  };
}
