import { DelayedError, Queue, WaitingError, Worker } from 'bullmq';
import { parseBuildRequest } from '../builds/request.ts';
import type { BuildRecord } from '../builds/types.ts';
import type { RedisClient } from '../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import { CancelledError, HandBackError } from '../stop-reasons.ts';
import { settlesWithin } from '../within.ts';
import { ownerKey, repoKey } from './admission.ts';
import { closeQueue, dropWorker } from './bull-close.ts';
import type { CancelBus } from './cancel-bus.ts';
import type { BuildJobData } from './job-data.ts';
import { type ProcessDeps, processBuild } from './process-build.ts';
import { SlotKeeper } from './slots/keeper.ts';
import type { Slots } from './slots/slots.ts';
import { failOrphan, sweep } from './sweeper.ts';
import { waker } from './wake.ts';

/** Defaults of BERTH_LOCK_SECONDS and BERTH_STALLED_CHECK_SECONDS: a dead worker's build moves within ~10 s. */
const DEFAULT_LOCK_MS = 8000;
const DEFAULT_STALLED_CHECK_MS = 2000;

/** A worker's collaborators and knobs (tests shorten the lock and stalled intervals). */
export interface BuildWorkerOptions extends ProcessDeps {
  /** BullMQ connection (`maxRetriesPerRequest: null`); not closed by the worker. */
  connection: RedisClient;
  bus: CancelBus;
  /** Builds this worker runs at once (BERTH_CONCURRENCY). */
  concurrency: number;
  /** Builds all workers run at once (BullMQ global concurrency). */
  globalConcurrency?: number;
  /** The queue's name and prefix (default: under `berth`). */
  keys?: RedisKeys;
  /**
   * A worker that stops renewing its lock this long loses the build to another worker
   * (BERTH_LOCK_SECONDS). The lock is renewed every quarter of it, so the event loop may
   * be held up for about three quarters of it before a healthy build is taken over.
   */
  lockDurationMs?: number;
  /** How often workers look for builds whose lock expired (BERTH_STALLED_CHECK_SECONDS). */
  stalledIntervalMs?: number;
  /** Takeovers of one build before it ends `error` / `infrastructure`. */
  maxStalledCount?: number;
  /** How often orphaned records are swept, and how old a record must be to count. */
  sweepIntervalMs?: number;
  sweepGraceMs?: number;
  /** After the shutdown bound, how long handed-back builds get to stop. */
  handBackMs?: number;
  /** Slot accounting (concurrency groups, fair share); cancel-in-progress cancels through `cancel`. */
  slotAccounting?: { slots: Slots; cancel(ids: string[], reason: string): Promise<unknown> };
  /** A parked build's job looks at its place in line again after this long (a lost wake-up costs no more). */
  parkRecheckMs?: number;
}

/** A running worker: `close` stops taking jobs, waits up to `timeoutMs`, then hands builds back. */
export interface BuildWorker {
  isRunning(): boolean;
  /** Builds running in this process now. */
  active(): number;
  sweep(): Promise<number>;
  close(timeoutMs: number): Promise<void>;
}

/** Starts a BullMQ worker on the builds queue, a cancel subscription and the orphan sweeper. */
export async function startBuildWorker(o: BuildWorkerOptions): Promise<BuildWorker> {
  const controllers = new Map<string, AbortController>();
  const unsubscribe = await o.bus.subscribe(({ id, reason }) =>
    controllers.get(id)?.abort(new CancelledError(reason)),
  );
  const keys = o.keys ?? redisKeys();
  const name = keys.queues.builds;
  const lockMs = o.lockDurationMs ?? DEFAULT_LOCK_MS;
  const queue = new Queue<BuildJobData>(name, { connection: o.connection, prefix: keys.bullPrefix });
  // Without a listener BullMQ prints each connection error (a failover) to stderr, unstructured.
  queue.on('error', (err) => o.logger.debug({ err }, 'build queue connection error'));
  if (o.globalConcurrency) await queue.setGlobalConcurrency(o.globalConcurrency);
  const wake = waker(queue);
  /** Whether a build just parked may go on now: it holds its slots, or nothing holds it back before planning. */
  const mayGoOn = async (slots: Slots, data: BuildJobData): Promise<boolean> => {
    const parsed = parseBuildRequest(data.request);
    if (!parsed.ok) return true;
    const r = parsed.request;
    const now = await slots.arrive(data.id, data.seq ?? Date.now(), repoKey(r), ownerKey(r));
    return now.state === 'holding' || now.state === 'free';
  };
  const accounting = o.slotAccounting;
  const slotDeps = accounting
    ? {
        keeper: new SlotKeeper({
          slots: accounting.slots,
          store: o.store,
          wake,
          report: async (record: BuildRecord) => {
            await o.adapters[record.request.forge]?.reporter.report(record).catch(() => {});
          },
        }),
        cancel: async (ids: string[], reason: string) => {
          await accounting.cancel(ids, reason);
        },
      }
    : undefined;
  const deps = { ...o, ...(slotDeps ? { slots: slotDeps } : {}) };
  const worker = new Worker<BuildJobData>(
    name,
    async (job, token, signal) => {
      const controller = new AbortController();
      const forward = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', forward, { once: true });
      controllers.set(job.data.id, controller);
      try {
        const result = await processBuild(deps, job.data, token ?? String(job.id), controller);
        if (result === 'parked' && slotDeps) {
          await job.moveToDelayed(Date.now() + (o.parkRecheckMs ?? 30_000), token);
          // Slots freed while parking: the releaser found the job still active, so wake it here.
          if (await mayGoOn(slotDeps.keeper.slots, job.data)) await wake([job.data.id]);
          throw new DelayedError();
        }
        if (result === 'handed-back') {
          await job.moveToWait(token);
          throw new WaitingError();
        }
      } finally {
        controllers.delete(job.data.id);
        signal?.removeEventListener('abort', forward);
      }
    },
    {
      connection: o.connection,
      prefix: keys.bullPrefix,
      concurrency: o.concurrency,
      lockDuration: lockMs,
      // BullMQ checks every half of this and renews locks older than that half.
      lockRenewTime: lockMs / 4,
      stalledInterval: o.stalledIntervalMs ?? DEFAULT_STALLED_CHECK_MS,
      maxStalledCount: o.maxStalledCount ?? 2,
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
  worker.on('error', (err) => o.logger.warn({ err }, 'build worker error'));
  worker.on('stalled', (job) => o.logger.warn({ job }, 'a worker stopped renewing its build; requeued'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    void (async () => {
      if ((await job.getState()) !== 'failed') return;
      await failOrphan(deps, job.data.id, `the build could not finish: ${err.message}`);
    })().catch((error: unknown) => o.logger.warn({ err: error }, 'ending a failed build failed'));
  });
  const runSweep = () => sweep({ ...deps, queue, graceMs: o.sweepGraceMs ?? 60_000 });
  const timer = setInterval(() => {
    runSweep().catch((err: unknown) => o.logger.warn({ err }, 'sweeping orphaned builds failed'));
  }, o.sweepIntervalMs ?? 60_000);
  timer.unref();
  let closing: Promise<void> | null = null;

  const close = async (timeoutMs: number) => {
    clearInterval(timer);
    const done = worker.close();
    if (!(await settlesWithin(done, timeoutMs))) {
      const running = controllers.size;
      for (const controller of controllers.values()) controller.abort(new HandBackError());
      if (running === 0 || !(await settlesWithin(done, o.handBackMs ?? 10_000))) {
        o.logger.warn({ active: controllers.size }, 'worker did not stop in time; dropping its connections');
        await dropWorker(worker);
      }
    }
    await unsubscribe();
    await closeQueue(queue);
  };

  return {
    isRunning: () => closing === null && worker.isRunning(),
    active: () => controllers.size,
    sweep: runSweep,
    close: (timeoutMs) => {
      closing ??= close(timeoutMs);
      return closing;
    },
  };
}
