import type { Redis } from 'ioredis';
import { LogCapper, type LogCaps } from './capped-batch.ts';
import { END_FIELDS, encodeEntry } from './stream-entry.ts';
import type { LogEntry, LogSink } from './types.ts';

/** One build's stream, its caps and batching. */
export interface RedisLogSinkOptions {
  redis: Redis;
  key: string;
  retentionMs: number;
  caps: LogCaps;
  /** Lines buffered before a write is forced. */
  batchLines: number;
  /** Longest a line waits in the buffer, ms. */
  flushMs: number;
  onError: (error: unknown) => void;
  /** Told how many lines each write stored (the end marker not counted). */
  onStored?: (lines: number) => void;
}

/** A build's log sink onto one Redis stream: capped, batched (pipelined XADDs), in order. */
export class RedisLogSink implements LogSink {
  readonly #o: RedisLogSinkOptions;
  readonly #capper: LogCapper;
  #buffer: string[][] = [];
  #timer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: RedisLogSinkOptions) {
    this.#o = options;
    this.#capper = new LogCapper(options.caps);
  }

  append(entry: LogEntry): void {
    if (this.#closed) return;
    for (const kept of this.#capper.admit(entry)) this.#buffer.push(encodeEntry(kept));
    if (this.#buffer.length >= this.#o.batchLines) this.#write();
    else if (!this.#timer && this.#buffer.length > 0) {
      this.#timer = setTimeout(() => this.#write(), this.#o.flushMs);
      this.#timer.unref();
    }
  }

  flush(): Promise<void> {
    this.#write();
    return this.#chain;
  }

  /** Writes the end marker (followers stop there); later appends are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return this.#chain;
    this.#buffer.push(END_FIELDS);
    this.#closed = true;
    return this.flush();
  }

  #write(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    const { redis, key, retentionMs, onError, onStored } = this.#o;
    this.#chain = this.#chain.then(async () => {
      const pipeline = redis.pipeline();
      for (const fields of batch) pipeline.xadd(key, '*', ...fields);
      pipeline.pexpire(key, retentionMs);
      try {
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error);
        if (failed) onError(failed[0]);
        const stored = batch.filter((fields, i) => fields !== END_FIELDS && !results[i]?.[0]).length;
        if (onStored && stored > 0) onStored(stored);
      } catch (error) {
        onError(error);
      }
    });
  }
}
