import type { RedisClient } from '../redis/connect.ts';
import { ReplicatedWrites } from '../redis/replicated.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import type { LogCaps } from './capped-batch.ts';
import { FollowerLimits, type FollowerSlot } from './follower-limits.ts';
import { RedisLogSink } from './redis-sink.ts';
import { decodeItems, END_FIELDS, hasEnd, type StoredLogEntry, wireLines } from './stream-entry.ts';
import { SharedStreamReader, type StreamItems, type WaitResult } from './stream-reader.ts';
import type { StepKey } from './types.ts';

export type { StoredLogEntry } from './stream-entry.ts';

/** Connection, key names, retention, caps and batching of the log store. */
export interface RedisLogStoreOptions {
  redis: RedisClient;
  /** Key names (default: under `berth`). */
  keys?: RedisKeys;
  retentionMs: number;
  caps: LogCaps;
  batchLines?: number;
  flushMs?: number;
  /** How long one XREAD BLOCK waits before `follow` re-checks, ms. */
  blockMs?: number;
  /** Logs followed at once by this process, and of one build (BERTH_LOG_FOLLOWERS…). */
  followers?: { perProcess: number; perBuild: number };
  /** Told of each failed write of a batch (the sink tries it again). */
  onError?: (error: unknown) => void;
  /** Told how many lines each batch stored (for `berth_log_lines_total`). */
  onStored?: (lines: number) => void;
  /** Told of lines of a build that will not be in its log (see RedisLogSinkOptions.onLost). */
  onLost?: (buildId: string, lines: number, why: 'closed' | 'failover') => void;
  /** How sinks write: waiting for replicas or not (default: plain EVALs on `redis`). */
  writes?: ReplicatedWrites;
  /** After a sink's close, how long its unstored lines are still tried, ms (default 60 s). */
  giveUpMs?: number;
}

/** A batch of a followed log: decoded on demand, or as wire JSON without decoding. */
export class FollowedBatch {
  readonly #items: StreamItems;
  constructor(items: StreamItems) {
    this.#items = items;
  }
  /** Stream id of the last item (what a follow resumes after). */
  get lastId(): string {
    return this.#items.at(-1)?.[0] ?? '';
  }
  get entries(): StoredLogEntry[] {
    return decodeItems(this.#items).entries;
  }
  /** The lines as a JSON array of `[stage, step, stream, time, text]` (see wireLines). */
  wire(): string {
    return wireLines(this.#items);
  }
}

/** A page of a build's log; `ended` once the build's end marker was read. */
export interface LogPage {
  entries: StoredLogEntry[];
  ended: boolean;
}

/** Build logs in Redis Streams (one stream per build): write through sinks, read a tail, a range, or follow. */
export class RedisLogStore {
  readonly #o: Required<Omit<RedisLogStoreOptions, 'keys' | 'onStored' | 'onLost' | 'giveUpMs'>> &
    Pick<RedisLogStoreOptions, 'onStored' | 'onLost' | 'giveUpMs'>;
  readonly #keys: RedisKeys;
  readonly #reader: SharedStreamReader;
  readonly #limits: FollowerLimits;

  constructor(options: RedisLogStoreOptions) {
    this.#keys = options.keys ?? redisKeys();
    this.#o = {
      batchLines: 1000,
      flushMs: 50,
      blockMs: 5000,
      onError: () => {},
      followers: { perProcess: 1000, perBuild: 100 },
      ...options,
      writes: options.writes ?? ReplicatedWrites.plain(options.redis),
    };
    this.#reader = new SharedStreamReader({
      redis: this.#o.redis,
      wakePrefix: this.#keys.logsWake,
      blockMs: this.#o.blockMs,
      count: PAGE,
      onError: this.#o.onError,
    });
    this.#limits = new FollowerLimits(this.#o.followers);
  }

  /** Stops the shared follow reader (its connection) and ends the follows in progress. */
  close(): void {
    this.#reader.close();
  }

  key(buildId: string): string {
    return this.#keys.logs(buildId);
  }

  /** A new sink for one build run (caps count from zero). */
  sink(buildId: string): RedisLogSink {
    const { writes, retentionMs, caps, batchLines, flushMs, onError, onStored, onLost, giveUpMs } = this.#o;
    return new RedisLogSink({
      writes,
      key: this.key(buildId),
      writersKey: this.#keys.logWriters(buildId),
      retentionMs,
      caps,
      batchLines,
      flushMs,
      onError,
      ...(onStored ? { onStored } : {}),
      ...(onLost
        ? { onLost: (lines: number, why: 'closed' | 'failover') => onLost(buildId, lines, why) }
        : {}),
      ...(giveUpMs !== undefined ? { giveUpMs } : {}),
    });
  }

  /** Marks a build's log complete (e.g. when a build is finished without a worker). */
  async end(buildId: string): Promise<void> {
    const key = this.key(buildId);
    await this.#o.redis
      .multi()
      .xadd(key, '*', ...END_FIELDS)
      .pexpire(key, this.#o.retentionMs)
      .exec();
  }

  /** The last `lines` lines. */
  async tail(buildId: string, lines: number): Promise<LogPage> {
    const items = (await this.#o.redis.xrevrange(this.key(buildId), '+', '-', 'COUNT', lines + 1)) as Array<
      [string, string[]]
    >;
    const page = decodeItems(items.reverse());
    return { entries: page.entries.slice(-lines), ended: page.ended };
  }

  /** The last `lines` lines of one step (for failure summaries), oldest first. */
  async stepTail(buildId: string, step: StepKey, lines: number): Promise<string[]> {
    const found: string[] = [];
    let end = '+';
    while (found.length < lines) {
      const items = (await this.#o.redis.xrevrange(this.key(buildId), end, '-', 'COUNT', 1000)) as Array<
        [string, string[]]
      >;
      for (const entry of decodeItems(items).entries) {
        if (entry.stage === step.stage && entry.step === step.step) found.push(entry.text);
        if (found.length >= lines) break;
      }
      const oldest = items.at(-1);
      if (!oldest || items.length < 1000) break;
      end = `(${oldest[0]}`;
    }
    return found.reverse();
  }

  /** Up to `count` lines after stream id `after` (from the start when absent). */
  async read(buildId: string, after: string | null, count = 1000): Promise<LogPage> {
    const start = after ? `(${after}` : '-';
    const items = (await this.#o.redis.xrange(this.key(buildId), start, '+', 'COUNT', count)) as Array<
      [string, string[]]
    >;
    return decodeItems(items);
  }

  /**
   * A place for one more follower of `buildId`'s log, or the cap that is reached
   * (`process`: this process follows as many logs as it may; `build`: this build has
   * as many followers as it may). Release it when the follow ends.
   */
  followerSlot(buildId: string): FollowerSlot {
    return this.#limits.take(buildId);
  }

  /**
   * Lines after `after`, in batches of up to 1000 (FollowedBatch), live until the end marker or `signal`
   * aborts. Catches up with XRANGE, then waits on the process's one shared reader;
   * `isDone` is asked whenever a wait times out, so a build that ended without a
   * marker still ends the follow. Takes no follower slot: callers do.
   */
  async *follow(
    buildId: string,
    options: { after: string | null; signal: AbortSignal; isDone?: () => Promise<boolean> },
  ): AsyncGenerator<FollowedBatch> {
    const { signal } = options;
    const key = this.key(buildId);
    let last = options.after ?? '0-0';
    let live: ReturnType<SharedStreamReader['follow']> | null = null;
    let atEnd = false;
    let size = FIRST_PAGE;
    try {
      while (!signal.aborted) {
        let result: WaitResult = atEnd ? [] : await this.#range(key, last, size);
        size = PAGE;
        if (result.length === 0) {
          live ??= this.#reader.follow(key, last);
          result = await live.wait(last, signal);
        }
        if (signal.aborted) return;
        atEnd = false;
        if (result === 'behind') continue;
        if (result === 'timeout') {
          if (options.isDone && (await options.isDone())) return;
          atEnd = true;
          continue;
        }
        last = result.at(-1)?.[0] ?? last;
        atEnd = live !== null && result.length < PAGE;
        const ended = hasEnd(result);
        const lines = ended ? result.filter(([, fields]) => fields[0] !== END_FIELDS[0]) : result;
        if (lines.length > 0) yield new FollowedBatch(lines);
        if (ended) return;
      }
    } finally {
      live?.release();
    }
  }

  async #range(key: string, after: string, count: number): Promise<StreamItems> {
    return (await this.#o.redis.xrange(key, `(${after}`, '+', 'COUNT', count)) as StreamItems;
  }
}

/** Lines per XRANGE / XREAD and per batch a follower gets. */
const PAGE = 1000;
/** The first page is smaller: a page shows its first lines sooner. */
const FIRST_PAGE = 100;
