import { randomBytes } from 'node:crypto';
import { type ReplicatedWrites, UnconfirmedWriteError } from '../redis/replicated.ts';
import { backoffMs, sleep } from '../runtime/retry.ts';
import { LogCapper, type LogCaps } from './capped-batch.ts';
import { END_FIELDS, encodeLine, LINE_FIELD } from './stream-entry.ts';
import type { LogEntry, LogSink } from './types.ts';

/** One build's stream, its caps and batching. */
export interface RedisLogSinkOptions {
  /** Runs the append script (and waits for replicas when configured). */
  writes: ReplicatedWrites;
  /** The build's stream. */
  key: string;
  /** The hash counting what each sink of the build stored (same hash tag as `key`). */
  writersKey: string;
  retentionMs: number;
  caps: LogCaps;
  /** Lines buffered before a write is forced, and the most one write stores. */
  batchLines: number;
  /** Longest a line waits in the buffer, ms. */
  flushMs: number;
  /** Told of each failed write (it is tried again). */
  onError: (error: unknown) => void;
  /** Told how many lines each write stored (the end marker not counted). */
  onStored?: (lines: number) => void;
  /**
   * Told of lines that will not be in the log: `closed` when Redis did not take them
   * within `giveUpMs` of close, `failover` when a write the primary had answered was
   * gone after a failover (no replica had it yet).
   */
  onLost?: (lines: number, why: 'closed' | 'failover') => void;
  /** After close, how long unstored lines are still tried, ms (default 60 s). */
  giveUpMs?: number;
}

const [END_NAME, END_VALUE] = END_FIELDS;

/**
 * Appends a batch to a stream in one command. KEYS: the stream and the writers hash.
 * ARGV: 1 the retention; 2 a JSON array whose items are a line's stored value
 * (encodeLine) or 0 for the end marker; 3 the sink's writer id; 4 the sequence
 * number of the batch's first item; 5 the stream id its first attempt was given, or ''.
 * One Lua call with one JSON argument instead of one XADD per line keeps the client's
 * work per line small: a step printing as fast as it can costs Berth's event loop little.
 *
 * Idempotent: the writers hash holds how many items each sink stored, so a batch
 * sent again (its reply lost in a failover) adds only what is not there yet. A batch
 * written again after a failover lost it takes the ids its first attempt was given
 * when it can, so a live follower that read it then does not read it twice.
 * Returns [first id, items added, items the writer had stored before].
 */
const APPEND = `
local had = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
local first = tonumber(ARGV[4])
local items = cjson.decode(ARGV[2])
local skip = had - first
if skip < 0 then skip = 0 end
local ms, seq, firstId = nil, nil, ''
if ARGV[5] ~= '' and skip < #items then
  local dash = string.find(ARGV[5], '-', 1, true)
  ms = string.sub(ARGV[5], 1, dash - 1)
  seq = tonumber(string.sub(ARGV[5], dash + 1)) + skip
end
local added = 0
for i = skip + 1, #items do
  local item = items[i]
  local fields = item == 0 and {'${END_NAME}', '${END_VALUE}'} or {'${LINE_FIELD}', item}
  local id = nil
  if ms then
    local explicit = ms .. '-' .. string.format('%d', seq)
    local ok = redis.pcall('XADD', KEYS[1], explicit, fields[1], fields[2])
    if type(ok) == 'table' and ok.err then ms = nil else id = explicit end
  end
  if not id then
    id = redis.call('XADD', KEYS[1], '*', fields[1], fields[2])
    local dash = string.find(id, '-', 1, true)
    ms = string.sub(id, 1, dash - 1)
    seq = tonumber(string.sub(id, dash + 1))
  end
  if firstId == '' then firstId = id end
  seq = seq + 1
  added = added + 1
end
if first + #items > had then redis.call('HSET', KEYS[2], ARGV[3], first + #items) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return {firstId, added, had}
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
  /** This sink's name in the writers hash, and how many items it has stored. */
  readonly #writer = randomBytes(8).toString('hex');
  #seq = 0;
  /** Aborted `giveUpMs` after close: unstored lines are dropped and counted. */
  readonly #giveUp = new AbortController();
  #lost = 0;

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

  /**
   * Writes the end marker (followers stop there); later appends are dropped. Lines
   * Redis has not taken within `giveUpMs` are given up and counted (onLost).
   */
  async close(): Promise<void> {
    if (this.#closed) return this.flush();
    this.#buffer.push(END);
    this.#closed = true;
    const timer = setTimeout(() => this.#giveUp.abort(), this.#o.giveUpMs ?? 60_000);
    timer.unref();
    try {
      await this.flush();
    } finally {
      clearTimeout(timer);
      if (this.#lost > 0) this.#o.onLost?.(this.#lost, 'closed');
    }
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

  /**
   * Stores one batch, trying again with backoff until it lands (a failover, a Redis
   * restart) or the sink gives up after close. Tries are idempotent (APPEND).
   */
  async #store(batch: Pending[]): Promise<void> {
    const { writes, key, writersKey, retentionMs, onError, onStored } = this.#o;
    const items = JSON.stringify(batch.map((item) => (item === END ? 0 : encodeLine(item))));
    const lines = batch.length - (batch.at(-1) === END ? 1 : 0);
    const first = this.#seq;
    const signal = this.#giveUp.signal;
    let firstId = '';
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const write = writes.eval(
          APPEND,
          [key, writersKey],
          [retentionMs, items, this.#writer, first, firstId],
        );
        const reply = (await untilAborted(write, signal)) as [string, number, number] | null;
        if (!reply) break;
        this.#seq = first + batch.length;
        // Items this sink had stored before are gone: a failover lost them.
        if (reply[2] < first) this.#o.onLost?.(first - reply[2], 'failover');
        if (onStored && lines > 0) onStored(lines);
        return;
      } catch (error) {
        if (error instanceof UnconfirmedWriteError) {
          const value = error.value as [string, number, number];
          firstId ||= value[0];
        }
        onError(error);
        await sleep(backoffMs(attempt, 50, 2000), signal);
      }
    }
    this.#seq = first + batch.length;
    this.#lost += lines;
  }
}

/** The promise's value, or null once `signal` aborts first. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return null;
  let onAbort = () => {};
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
