import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connect.ts';
import { ReplicatedWrites, UnconfirmedWriteError } from '../redis/replicated.ts';
import { type BuildKeys, type RedisKeys, redisKeys } from '../redis-keys.ts';
import { CREATE, UPDATE } from './scripts.ts';
import type { BuildFilter } from './service.ts';
import { ACTIVE_STATES, canTransition, isFinal } from './state.ts';
import type { BuildRecord, BuildRequest } from './types.ts';

/** Default retention of records, logs and indexes. */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** The store's collaborators; retention defaults to 30 days. */
export interface BuildStoreOptions {
  redis: RedisClient;
  /** Key names (default: under `berth`). */
  keys?: RedisKeys;
  retentionMs?: number;
  now?: () => number;
  /** How record updates are written: waiting for replicas or not (default: plain EVALs on `redis`). */
  writes?: ReplicatedWrites;
}

/** What `create` did: made a new build, or joined one (same delivery, or same commit in progress). */
export interface CreateResult {
  id: string;
  joined: boolean;
}

/** A stored record with its revision (bumped on every write) and the worker token holding it. */
export interface StoredBuild {
  record: BuildRecord;
  rev: number;
  owner: string;
}

/** Why an update did not happen: record gone, transition illegal, or another worker owns it. */
export type UpdateResult =
  | { ok: true; record: BuildRecord; rev: number }
  | { ok: false; why: 'missing' | 'illegal' | 'fenced'; record: BuildRecord | null };

/** How an update is fenced: as the owning worker, or claiming the build. */
export interface UpdateOptions {
  /** Refuse the write when another worker token owns the build (a resumed build never writes stale state). */
  owner?: string;
  /** Take ownership (a worker claiming the build). */
  claim?: string;
}

/** `b` + time + randomness: sortable, lowercase, usable in pod names. */
export function newBuildId(now: number): string {
  return `b${now.toString(36)}${randomBytes(5).toString('hex')}`;
}

/** `github:owner/name`, `gitlab:group/project`, `local:/abs/path`. */
export const sourceOf = (request: BuildRequest): string => `${request.forge}:${request.repo}`;

/** Build records in Redis: atomic create with dedupe, state-checked revisions, history, retention. */
export class BuildStore {
  readonly keys: BuildKeys;
  readonly retentionMs: number;
  readonly #redis: RedisClient;
  readonly #writes: ReplicatedWrites;
  readonly #now: () => number;

  constructor(options: BuildStoreOptions) {
    this.#redis = options.redis;
    this.#writes = options.writes ?? ReplicatedWrites.plain(options.redis);
    this.keys = (options.keys ?? redisKeys()).builds;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records a queued build, or joins the one this request duplicates. With replicas
   * wanted (Sentinel), it returns once a replica has the record, so a build the API
   * answered for survives a failover.
   */
  async create(request: BuildRequest): Promise<CreateResult> {
    const now = this.#now();
    const id = newBuildId(now);
    const template = JSON.stringify({ buildRef: 0, ...initialRecord(id, request, now) });
    const k = this.keys;
    const keys = [
      k.build(id),
      k.refCounter(request),
      k.history(request.repo),
      k.recent,
      k.active,
      k.delivery(request.deliveryId ?? ''),
      k.dedupe(request),
      k.activeIn(request.repo),
      k.lane(request),
    ];
    const args = [
      k.buildPrefix,
      id,
      template,
      now,
      this.retentionMs,
      request.rerun ? 1 : 0,
      request.deliveryId ? 1 : 0,
    ];
    for (;;) {
      const result = (await this.#writes.eval(CREATE, keys, args).catch(async (error: unknown) => {
        // Created but maybe not replicated (a failover): kept if the record is there now, else made again.
        if (!(error instanceof UnconfirmedWriteError)) throw error;
        const [made] = error.value as [string, string];
        return (await this.read(made)) ? error.value : null;
      })) as [string, string] | null;
      if (result) return { id: result[0], joined: result[1] !== 'created' };
    }
  }

  async get(id: string): Promise<BuildRecord | null> {
    return (await this.read(id))?.record ?? null;
  }

  /** The record with its revision and owner. */
  async read(id: string): Promise<StoredBuild | null> {
    const [json, rev, owner] = await this.#redis.hmget(this.keys.build(id), 'record', 'rev', 'owner');
    if (!json || !rev) return null;
    return { record: JSON.parse(json) as BuildRecord, rev: Number(rev), owner: owner ?? '' };
  }

  /**
   * Applies `change` to the current record and writes it if nothing else wrote in
   * between (retries on conflict). Illegal state transitions and writes by a worker
   * that no longer owns the build are refused; an unchanged record is not written.
   * A write whose replication was not confirmed (a failover) is tried again from a
   * fresh read, so `change` must give the same record when applied twice.
   */
  async update(
    id: string,
    change: (record: BuildRecord) => BuildRecord,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    for (;;) {
      const current = await this.read(id);
      if (!current) return { ok: false, why: 'missing', record: null };
      const { record, rev, owner } = current;
      if (options.owner !== undefined && owner !== '' && owner !== options.owner) {
        return { ok: false, why: 'fenced', record };
      }
      const next = change(structuredClone(record));
      const moved = next.status !== record.status || options.claim !== undefined;
      if (moved && !canTransition(record.status, next.status)) return { ok: false, why: 'illegal', record };
      if (!moved && JSON.stringify(next) === JSON.stringify(record)) return { ok: true, record, rev };
      if (isFinal(record.status)) return { ok: false, why: 'illegal', record };
      const written = await this.#write(id, rev, next, options.claim ?? owner).catch((error: unknown) => {
        if (error instanceof UnconfirmedWriteError) return 0;
        throw error;
      });
      if (written === -1) return { ok: false, why: 'missing', record: null };
      if (written > 0) return { ok: true, record: next, rev: written };
    }
  }

  async #write(id: string, rev: number, record: BuildRecord, owner: string): Promise<number> {
    const k = this.keys;
    const keys = [k.build(id), k.active, k.activeIn(record.request.repo), k.lane(record.request)];
    const final = isFinal(record.status) ? 1 : 0;
    const args = [rev, JSON.stringify(record), record.status, owner, this.retentionMs, id, final];
    return (await this.#writes.eval(UPDATE, keys, args)) as number;
  }

  /** Newest first: a repository's history when `filter.repo`, else the global recent list. */
  async list(filter: BuildFilter = {}): Promise<BuildRecord[]> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const key = this.#indexFor(filter);
    const found: BuildRecord[] = [];
    const page = Math.max(limit, 100);
    for (let start = 0; found.length < limit; start += page) {
      const ids = await this.#redis.zrevrange(key, start, start + page - 1);
      if (ids.length === 0) break;
      for (const record of await this.#readMany(ids)) {
        if (record && matches(record, filter)) found.push(record);
        if (found.length >= limit) break;
      }
      if (!hasNarrowing(filter)) break;
    }
    return found;
  }

  /** Whether the build is queued or running (e.g. the Kubernetes reaper's `isBuildRunning`). */
  async isActive(id: string): Promise<boolean> {
    const state = await this.#redis.hget(this.keys.build(id), 'state');
    return state === 'queued' || state === 'running';
  }

  /** Remembers that a build should stop, for a worker that takes it up later. */
  async requestCancel(id: string, reason: string): Promise<void> {
    await this.#redis.set(this.keys.cancelled(id), reason, 'PX', this.retentionMs);
  }

  /** The cancel reason when a cancel was requested for the build, else null. */
  async cancelRequested(id: string): Promise<string | null> {
    return this.#redis.get(this.keys.cancelled(id));
  }

  /** The smallest index holding every match: active builds, a repository's history, or all recent builds. */
  #indexFor(filter: BuildFilter): string {
    const onlyActive = filter.status?.every((s) => ACTIVE_STATES.includes(s)) ?? false;
    if (onlyActive) return filter.repo ? this.keys.activeIn(filter.repo) : this.keys.active;
    return filter.repo ? this.keys.history(filter.repo) : this.keys.recent;
  }

  /** Queued/running builds of the request's PR/MR or branch, newest first. */
  async activeInLane(request: BuildRequest): Promise<BuildRecord[]> {
    const ids = await this.#redis.zrevrange(this.keys.lane(request), 0, -1);
    const records = await this.#readMany(ids);
    return records.filter((r): r is BuildRecord => r !== null && ACTIVE_STATES.includes(r.status));
  }

  /** Ids of builds that are queued or running (oldest first). */
  async activeIds(): Promise<string[]> {
    return this.#redis.zrange(this.keys.active, '0', '-1');
  }

  /** Drops index entries of records older than the retention or already expired. */
  async prune(): Promise<number> {
    const cutoff = this.#now() - this.retentionMs;
    let removed = await this.#redis.zremrangebyscore(this.keys.recent, '-inf', String(cutoff));
    const stale = (await this.#redis.zrange(this.keys.active, '0', '-1')).filter(Boolean);
    const records = await this.#readMany(stale);
    const gone = stale.filter((_, i) => records[i] === null);
    if (gone.length > 0) removed += await this.#redis.zrem(this.keys.active, ...gone);
    return removed;
  }

  async #readMany(ids: string[]): Promise<Array<BuildRecord | null>> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.build(id), 'record');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, json]) =>
      error || !json ? null : (JSON.parse(json as string) as BuildRecord),
    );
  }
}

function initialRecord(id: string, request: BuildRequest, now: number): Omit<BuildRecord, 'buildRef'> {
  return {
    id,
    request,
    source: sourceOf(request),
    status: 'queued',
    reason: null,
    message: null,
    context: request.environment ? `berth/${request.environment}` : 'berth',
    createdAt: new Date(now).toISOString(),
    startedAt: null,
    finishedAt: null,
    stages: [],
    sha: request.sha ?? null,
  };
}

const hasNarrowing = (f: BuildFilter): boolean =>
  f.id !== undefined ||
  f.forge !== undefined ||
  f.sha !== undefined ||
  f.change !== undefined ||
  f.ref !== undefined ||
  f.status !== undefined;

function matches(record: BuildRecord, f: BuildFilter): boolean {
  const r = record.request;
  return (
    (f.id === undefined || record.id === f.id) &&
    (f.repo === undefined || r.repo === f.repo) &&
    (f.forge === undefined || r.forge === f.forge) &&
    (f.sha === undefined || record.sha === f.sha || r.sha === f.sha) &&
    (f.change === undefined || r.change === f.change) &&
    (f.ref === undefined || r.ref === f.ref) &&
    (f.status === undefined || f.status.includes(record.status))
  );
}
