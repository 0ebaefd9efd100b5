import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { parseBuildRequest, recordedRequest } from '../builds/request.ts';
import type { BuildFilter, BuildService } from '../builds/service.ts';
import { ACTIVE_STATES } from '../builds/state.ts';
import type { BuildStore } from '../builds/store.ts';
import type { BuildRecord, BuildRequest } from '../builds/types.ts';
import { ConfigError } from '../errors.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import type { RedisClient } from '../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import { CancelledError, stopOutcome } from '../stop-reasons.ts';
import { repoKey } from './admission.ts';
import { closeQueue } from './bull-close.ts';
import type { CancelBus } from './cancel-bus.ts';
import type { BuildJobData } from './job-data.ts';
import { SlotKeeper } from './slots/keeper.ts';
import type { Slots } from './slots/slots.ts';
import { waker } from './wake.ts';

/** The service's collaborators. */
export interface QueueBuildServiceOptions {
  /** BullMQ connection (`maxRetriesPerRequest: null`); not closed by the service. */
  connection: RedisClient;
  store: BuildStore;
  logs: RedisLogStore;
  bus: CancelBus;
  /** Slot accounting: a new build gets its place in line; a cancelled one frees it. */
  slots?: Slots;
  logger: Logger;
  /** The queue's name and prefix (default: under `berth`). */
  keys?: RedisKeys;
  now?: () => number;
}

/** BuildService on BullMQ: dedupe and BUILD_REF in the store, jobs in the `builds` queue, cancel by broadcast. */
export class QueueBuildService implements BuildService {
  readonly queue: Queue<BuildJobData>;
  readonly #o: QueueBuildServiceOptions;

  constructor(options: QueueBuildServiceOptions) {
    this.#o = options;
    const keys = options.keys ?? redisKeys();
    this.queue = new Queue<BuildJobData>(keys.queues.builds, {
      connection: options.connection,
      prefix: keys.bullPrefix,
    });
  }

  async request(input: BuildRequest): Promise<{ id: string; joined: boolean }> {
    const parsed = parseBuildRequest(input);
    if (!parsed.ok) throw new ConfigError(`invalid build request: ${parsed.message}`);
    const request = parsed.request;
    // Password values go only into the job (the worker's copy), never into the record.
    const created = await this.#o.store.create(recordedRequest(request));
    if (created.joined) return created;
    const seq = await this.#o.slots?.enqueue(created.id, repoKey(request));
    const data = { id: created.id, request, ...(seq === undefined ? {} : { seq }) };
    await this.queue.add('build', data, { jobId: created.id, attempts: 1 });
    this.#o.logger.info({ id: created.id, repo: request.repo, ref: request.ref }, 'build queued');
    const older = await this.#older(request, created.id);
    if (older.length > 0) await this.#cancelIds(older, `superseded by build ${created.id}`);
    return created;
  }

  async cancel(filter: BuildFilter, reason: string): Promise<string[]> {
    const targets = await this.#o.store.list({ ...filter, status: [...ACTIVE_STATES], limit: 500 });
    return this.#cancelIds(
      targets.map((r) => r.id),
      reason,
    );
  }

  get(id: string): Promise<BuildRecord | null> {
    return this.#o.store.get(id);
  }

  list(filter: BuildFilter): Promise<BuildRecord[]> {
    return this.#o.store.list(filter);
  }

  /** Closes the queue; when Redis does not answer within 2 s, drops the connection instead. */
  async close(): Promise<void> {
    await closeQueue(this.queue);
  }

  /**
   * Queued/running builds of the same PR/MR, or of the same branch, environment
   * included, that were created before `id` (history order, so two concurrent
   * requests never cancel each other).
   */
  async #older(request: BuildRequest, id: string): Promise<string[]> {
    if (request.change === undefined && request.refType !== 'branch') return [];
    const same = await this.#o.store.activeInLane(request);
    const self = same.findIndex((r) => r.id === id);
    if (self < 0) return [];
    return same
      .slice(self + 1)
      .filter((r) => (r.request.environment ?? '') === (request.environment ?? ''))
      .filter((r) => request.change !== undefined || r.request.change === undefined)
      .map((r) => r.id);
  }

  /** Cancels builds by id (also used by cancel-in-progress), saying why. */
  async cancelIds(ids: string[], reason: string): Promise<string[]> {
    return this.#cancelIds(ids, reason);
  }

  async #cancelIds(ids: string[], reason: string): Promise<string[]> {
    const { store, logs, bus, slots } = this.#o;
    const keeper = slots ? new SlotKeeper({ slots, store, wake: waker(this.queue) }) : null;
    const at = new Date((this.#o.now ?? Date.now)()).toISOString();
    for (const id of ids) {
      await store.requestCancel(id, reason);
      const queued = await store.update(id, (r) =>
        r.status === 'queued' ? { ...r, ...stopOutcome(new CancelledError(reason)), finishedAt: at } : r,
      );
      // A cancelled queued job stays queued: the worker that takes it reports the cancel.
      if (queued.ok && queued.record.status === 'cancelled') {
        await logs.end(id);
        // A cancelled waiting build never starts: its place in line goes now, and its parked
        // job wakes so the worker that takes it reports the cancel.
        if (keeper) {
          await keeper.release(id);
          await keeper.wake([id]);
        }
      } else await bus.publish({ id, reason });
    }
    if (ids.length > 0) this.#o.logger.info({ ids, reason }, 'builds cancelled');
    return ids;
  }
}
