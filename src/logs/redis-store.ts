import type { Redis } from 'ioredis';
import type { LogCaps } from './capped-batch.ts';
import { RedisLogSink } from './redis-sink.ts';
import { decodeItems, END_FIELDS, type StoredLogEntry } from './stream-entry.ts';
import type { StepKey } from './types.ts';

export type { StoredLogEntry } from './stream-entry.ts';

/** Connection, key prefix, retention, caps and batching of the log store. */
export interface RedisLogStoreOptions {
  redis: Redis;
  prefix?: string;
  retentionMs: number;
  caps: LogCaps;
  batchLines?: number;
  flushMs?: number;
  /** How long one XREAD BLOCK waits before `follow` re-checks, ms. */
  blockMs?: number;
  onError?: (error: unknown) => void;
  /** Told how many lines each batch stored (for `berth_log_lines_total`). */
  onStored?: (lines: number) => void;
}

/** A page of a build's log; `ended` once the build's end marker was read. */
export interface LogPage {
  entries: StoredLogEntry[];
  ended: boolean;
}

/** Build logs in Redis Streams (one stream per build): write through sinks, read a tail, a range, or follow. */
export class RedisLogStore {
  readonly #o: Required<Omit<RedisLogStoreOptions, 'prefix' | 'onStored'>> &
    Pick<RedisLogStoreOptions, 'onStored'>;
  readonly #prefix: string;

  constructor(options: RedisLogStoreOptions) {
    this.#prefix = options.prefix ?? 'berth';
    this.#o = { batchLines: 1000, flushMs: 50, blockMs: 5000, onError: () => {}, ...options };
  }

  key(buildId: string): string {
    return `${this.#prefix}:logs:${buildId}`;
  }

  /** A new sink for one build run (caps count from zero). */
  sink(buildId: string): RedisLogSink {
    const { redis, retentionMs, caps, batchLines, flushMs, onError, onStored } = this.#o;
    return new RedisLogSink({
      redis,
      key: this.key(buildId),
      retentionMs,
      caps,
      batchLines,
      flushMs,
      onError,
      ...(onStored ? { onStored } : {}),
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
   * Lines after `after`, live, until the end marker or `signal` aborts. Blocks on
   * its own connection; `isDone` is asked whenever a block times out, so a build
   * that ended without a marker still ends the follow.
   */
  async *follow(
    buildId: string,
    options: { after: string | null; signal: AbortSignal; isDone?: () => Promise<boolean> },
  ): AsyncGenerator<StoredLogEntry> {
    const { signal } = options;
    if (signal.aborted) return;
    const connection = this.#o.redis.duplicate({ maxRetriesPerRequest: null });
    const stop = () => connection.disconnect();
    signal.addEventListener('abort', stop, { once: true });
    let last = options.after ?? '0-0';
    try {
      while (!signal.aborted) {
        const reply = (await connection.xread(
          'COUNT',
          1000,
          'BLOCK',
          this.#o.blockMs,
          'STREAMS',
          this.key(buildId),
          last,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const items = reply?.[0]?.[1] ?? [];
        const page = decodeItems(items);
        for (const entry of page.entries) yield entry;
        const lastItem = items.at(-1);
        if (lastItem) last = lastItem[0];
        if (page.ended) return;
        if (items.length === 0 && options.isDone && (await options.isDone())) return;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', stop);
      connection.disconnect();
    }
  }
}
