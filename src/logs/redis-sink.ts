import type { RedisClient } from '../redis/connect.ts';
import { LogCapper, type LogCaps } from './capped-batch.ts';
import { END_FIELDS, encodeLine, LINE_FIELD } from './stream-entry.ts';
import type { LogEntry, LogSink } from './types.ts';

/** One build's stream, its caps and batching. */
export interface RedisLogSinkOptions {
  redis: RedisClient;
  key: string;
  retentionMs: number;
  caps: LogCaps;
  /** Lines buffered before a write is forced, and the most one write stores. */
  batchLines: number;
  /** Longest a line waits in the buffer, ms. */
  flushMs: number;
  onError: (error: unknown) => void;
  /** Told how many lines each write stored (the end marker not counted). */
  onStored?: (lines: number) => void;
}

const [END_NAME, END_VALUE] = END_FIELDS;

/**
 * Appends a batch to a stream in one command: ARGV[1] is the retention, ARGV[2] a JSON
 * array whose items are a line's stored value (encodeLine) or 0 for the end marker.
 * One Lua call with one JSON argument instead of one XADD per line keeps the client's
 * work per line small: a step printing as fast as it can costs Berth's event loop little.
 */
const APPEND = `
for _, item in ipairs(cjson.decode(ARGV[2])) do
  if item == 0 then
    redis.call('XADD', KEYS[1], '*', '${END_NAME}', '${END_VALUE}')
  else
    redis.call('XADD', KEYS[1], '*', '${LINE_FIELD}', item)
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

const END = Symbol('end');
type Pending = LogEntry | typeof END;

/**
 * A build's log sink onto one Redis stream: capped, batched, in order. At most one
 * write is in flight: lines that arrive meanwhile wait in the buffer and go in the
 * next write, so a step printing faster than Redis stores costs one buffered line
 * each, not a prepared command each.
 */
export class RedisLogSink implements LogSink {
  readonly #o: RedisLogSinkOptions;
  readonly #capper: LogCapper;
  #buffer: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;
  #closed = false;

  constructor(options: RedisLogSinkOptions) {
    this.#o = options;
    this.#capper = new LogCapper(options.caps);
  }

  append(entry: LogEntry): void {
    if (this.#closed) return;
    for (const kept of this.#capper.admit(entry)) this.#buffer.push(kept);
    if (this.#buffer.length >= this.#o.batchLines) this.#start();
    else if (!this.#timer && !this.#writing && this.#buffer.length > 0) {
      this.#timer = setTimeout(() => this.#start(), this.#o.flushMs);
      this.#timer.unref();
    }
  }

  async flush(): Promise<void> {
    this.#start();
    while (this.#writing) await this.#writing;
  }

  /** Writes the end marker (followers stop there); later appends are dropped. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#buffer.push(END);
      this.#closed = true;
    }
    return this.flush();
  }

  /** Starts writing the buffer unless a write is in flight (which goes on with it when done). */
  #start(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#writing || this.#buffer.length === 0) return;
    this.#writing = this.#drain().finally(() => {
      this.#writing = null;
    });
  }

  async #drain(): Promise<void> {
    while (this.#buffer.length > 0) {
      const taken = this.#buffer;
      this.#buffer = [];
      for (let at = 0; at < taken.length; at += this.#o.batchLines)
        await this.#store(taken.slice(at, at + this.#o.batchLines));
    }
  }

  async #store(batch: Pending[]): Promise<void> {
    const { redis, key, retentionMs, onError, onStored } = this.#o;
    const items = batch.map((item) => (item === END ? 0 : encodeLine(item)));
    const lines = batch.length - (batch.at(-1) === END ? 1 : 0);
    try {
      await redis.eval(APPEND, 1, key, String(retentionMs), JSON.stringify(items));
      if (onStored && lines > 0) onStored(lines);
    } catch (error) {
      onError(error);
    }
  }
}
