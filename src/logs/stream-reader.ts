import { randomUUID } from 'node:crypto';
import { duplicateClient, type RedisClient } from '../redis/connect.ts';

/** Raw stream items as XRANGE / XREAD return them. */
export type StreamItems = Array<[string, string[]]>;

/** What a wait on a followed stream gives: new items, "read it yourself, you are behind", or nothing yet. */
export type WaitResult = StreamItems | 'behind' | 'timeout';

/** The connection to duplicate, the key of the wake-up stream, and read sizes. */
export interface StreamReaderOptions {
  /** Duplicated once for the blocking reads; not closed by the reader. */
  redis: RedisClient;
  /** Prefix of this reader's wake-up stream (a random name under it, expiring). */
  wakePrefix: string;
  /** Longest one XREAD blocks, and longest a wait lasts, ms. */
  blockMs: number;
  /** Most items one XREAD returns per stream. */
  count: number;
  onError: (error: unknown) => void;
}

interface Waiter {
  last: string;
  done: (result: WaitResult) => void;
}

interface Followed {
  /** Id of the last item the reader has seen of this stream. */
  position: string;
  refs: number;
  waiters: Set<Waiter>;
}

/** Orders two stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

const WAKE_TTL_MS = 3_600_000;

/**
 * One blocking Redis connection (open only while something is followed) that follows
 * any number of streams for this process:
 * a single XREAD over every followed stream hands new items to the waiters that were
 * at the end; waiters that fell behind are told so and read the range themselves. A
 * stream followed for the first time wakes the XREAD through a private wake-up stream
 * (plain XADD, nothing beyond the stream commands the log store needs anyway).
 */
export class SharedStreamReader {
  readonly #o: StreamReaderOptions;
  readonly #wakeKey: string;
  readonly #streams = new Map<string, Followed>();
  #connection: RedisClient | null = null;
  #wakeLast = '0-0';
  #inFlight = new Set<string>();
  #wakePending = false;
  #running = false;
  #closed = false;

  constructor(options: StreamReaderOptions) {
    this.#o = options;
    this.#wakeKey = `${options.wakePrefix}:${randomUUID()}`;
  }

  /** Streams followed now (for tests and metrics). */
  get followed(): number {
    return this.#streams.size;
  }

  /** Starts following `key` from `from` (the caller has read up to it); `release` when done. */
  follow(
    key: string,
    from: string,
  ): { wait(last: string, signal: AbortSignal): Promise<WaitResult>; release(): void } {
    let followed = this.#streams.get(key);
    if (followed) followed.refs++;
    else {
      followed = { position: from, refs: 1, waiters: new Set() };
      this.#streams.set(key, followed);
      this.#wake(key);
    }
    const entry = followed;
    let released = false;
    return {
      wait: (last, signal) => this.#wait(entry, last, signal),
      release: () => {
        if (released) return;
        released = true;
        if (--entry.refs === 0 && this.#streams.get(key) === entry) this.#streams.delete(key);
      },
    };
  }

  /** Ends the blocking read and drops its connection; waits end with `timeout`. */
  close(): void {
    this.#closed = true;
    this.#connection?.disconnect();
    for (const followed of this.#streams.values())
      for (const waiter of followed.waiters) waiter.done('timeout');
  }

  #wait(followed: Followed, last: string, signal: AbortSignal): Promise<WaitResult> {
    if (this.#closed || signal.aborted) return Promise.resolve('timeout');
    if (compareIds(last, followed.position) < 0) return Promise.resolve('behind');
    return new Promise((resolve) => {
      const done = (result: WaitResult) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        followed.waiters.delete(waiter);
        resolve(result);
      };
      const waiter: Waiter = { last, done };
      const abort = () => done('timeout');
      const timer = setTimeout(abort, this.#o.blockMs);
      signal.addEventListener('abort', abort, { once: true });
      followed.waiters.add(waiter);
    });
  }

  /** Makes the blocking read include `key`: starts it, or wakes the one in flight. */
  #wake(key: string): void {
    if (this.#closed) return;
    if (!this.#running) {
      this.#running = true;
      void this.#loop();
      return;
    }
    if (this.#inFlight.has(key) || this.#wakePending) return;
    this.#wakePending = true;
    this.#o.redis
      .multi()
      .xadd(this.#wakeKey, 'MAXLEN', '1', '*', 'w', '1')
      .pexpire(this.#wakeKey, WAKE_TTL_MS)
      .exec()
      .catch((error: unknown) => this.#o.onError(error));
  }

  async #loop(): Promise<void> {
    const connection = duplicateClient(this.#o.redis, {
      maxRetriesPerRequest: null,
      connectionName: 'berth-logs-follow',
    });
    // Errors surface on the XREAD below; without a listener ioredis prints each one.
    connection.on('error', () => {});
    this.#connection = connection;
    while (!this.#closed && this.#streams.size > 0) {
      const keys = [...this.#streams.keys()];
      const positions = keys.map((key) => this.#streams.get(key)?.position ?? '0-0');
      this.#inFlight = new Set(keys);
      this.#wakePending = false;
      let reply: Array<[string, StreamItems]> | null;
      try {
        reply = (await connection.xread(
          'COUNT',
          this.#o.count,
          'BLOCK',
          this.#o.blockMs,
          'STREAMS',
          ...keys,
          this.#wakeKey,
          ...positions,
          this.#wakeLast,
        )) as Array<[string, StreamItems]> | null;
      } catch (error) {
        if (this.#closed) break;
        this.#o.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      this.#inFlight = new Set();
      for (const [key, items] of reply ?? []) {
        if (key === this.#wakeKey) this.#wakeLast = items.at(-1)?.[0] ?? this.#wakeLast;
        else this.#deliver(key, items);
      }
      // Waiters handed items re-register in their next microtasks: let them, before reading again.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Nothing followed: the connection goes until the next follower comes.
    this.#running = false;
    this.#connection = null;
    connection.disconnect();
  }

  #deliver(key: string, items: StreamItems): void {
    const followed = this.#streams.get(key);
    const newest = items.at(-1)?.[0];
    if (!followed || !newest) return;
    const before = followed.position;
    followed.position = newest;
    for (const waiter of [...followed.waiters]) {
      if (waiter.last === before) waiter.done(items);
      else if (compareIds(waiter.last, newest) < 0) waiter.done('behind');
    }
  }
}
