import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { BuildStore } from '../builds/store.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import { stopOutcome, WorkerLostError } from '../stop-reasons.ts';
import { type BuildMetrics, seconds } from './build-meter.ts';
import type { AdapterRegistry } from './process-build.ts';
import { ended } from './process-build.ts';
import type { SlotKeeper } from './slots/keeper.ts';

/** What ending an orphaned build needs. */
export interface OrphanDeps {
  store: BuildStore;
  logs: RedisLogStore;
  adapters: AdapterRegistry;
  logger: Logger;
  metrics?: BuildMetrics;
  now?: () => number;
  slots?: { keeper: SlotKeeper };
}

/** Ends a build no worker will finish as `error` / `infrastructure`, and reports it. */
export async function failOrphan(deps: OrphanDeps, id: string, message: string): Promise<void> {
  const at = new Date((deps.now ?? Date.now)()).toISOString();
  const outcome = stopOutcome(new WorkerLostError(message));
  const result = await deps.store.update(id, (r) => ended(r, outcome, at));
  // Its slots go with it (also when another process ended it first).
  if (deps.slots) await deps.slots.keeper.release(id);
  if (!result.ok) return;
  deps.metrics?.buildFinished('error', seconds(result.record.startedAt, at));
  deps.logger.warn({ id, message }, 'build ended without a worker');
  await deps.logs.end(id);
  try {
    await deps.adapters[result.record.request.forge]?.reporter.report(result.record);
  } catch (err) {
    deps.logger.warn({ err, id }, 'reporting build status failed');
  }
}

/**
 * Finds queued/running records whose job is gone or failed (a worker died past the
 * stalled limit, Redis lost data, the enqueue never happened) and ends them, so no
 * build stays queued or running forever. Also prunes the indexes.
 */
export async function sweep(deps: OrphanDeps & { queue: Queue; graceMs: number }): Promise<number> {
  let ended = 0;
  const now = (deps.now ?? Date.now)();
  for (const id of await deps.store.activeIds()) {
    const record = await deps.store.get(id);
    if (!record || now - Date.parse(record.createdAt) < deps.graceMs) continue;
    const job = await deps.queue.getJob(id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'failed' || state === 'completed' || state === 'missing' || state === 'unknown') {
      await failOrphan(deps, id, `the build's job was lost (${state}); a worker died or Redis lost data`);
      ended++;
    }
  }
  if (deps.slots) {
    // Slots of builds that ended but whose release was lost (a process died in between).
    for (const entry of await deps.slots.keeper.slots.entries()) {
      const record = await deps.store.get(entry.id);
      if (!record || (record.status !== 'queued' && record.status !== 'running'))
        await deps.slots.keeper.release(entry.id);
    }
  }
  await deps.store.prune();
  return ended;
}
