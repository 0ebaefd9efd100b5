import { BerthError } from '../errors.ts';
import { duplicateClient, type RedisClient } from './connect.ts';

/** Writes that wait for no replica (one server, a Cluster, or BERTH_REDIS_WAIT_REPLICAS=0). */
export const NO_REPLICA_WAIT: ReplicaWait = Object.freeze({ replicas: 0, timeoutMs: 0 });

/** How many replicas must have a write before it counts as stored (BERTH_REDIS_WAIT_REPLICAS, BERTH_REDIS_WAIT_MS). */
export interface ReplicaWait {
  /** 0: do not wait (one server, or a Cluster). */
  replicas: number;
  /** Longest one WAIT blocks, ms. */
  timeoutMs: number;
}

/**
 * The write ran (its reply came) but the connection dropped before the replicas'
 * acknowledgement did: it may be lost if the primary failed. Write it again
 * (Berth's writes through here are idempotent) once Redis is back.
 */
export class UnconfirmedWriteError extends BerthError {
  /** What the write answered. */
  readonly value: unknown;
  constructor(value: unknown, cause: unknown) {
    super('a Redis write ran but its replication was not confirmed', {
      retryable: true,
      reason: 'infrastructure',
      cause,
    });
    this.value = value;
  }
}

/** Told when writes stop or start reaching the wanted replicas. */
export interface ReplicationEvents {
  /** No replica (or too few) acknowledged within the timeout: writes go on without waiting. */
  onDegraded?: (acked: number) => void;
  onRecovered?: () => void;
}

/** A WAIT while degraded blocks this long at most: it only looks whether the replicas are back. */
const PROBE_MS = 10;

/** A writer waiting for the next WAIT: its write was answered on connection `epoch`. */
interface Waiter {
  epoch: number;
  value: unknown;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Scripts whose effects must survive a failover: each runs on a connection of its
 * own and is stored once `replicas` replicas have it (WAIT), so a Sentinel failover,
 * which promotes the replica that has the most, keeps it.
 *
 * - WAIT covers every write answered before it on its connection, so writers share
 *   them: at most one WAIT is in flight, and the writers answered meanwhile join the
 *   next one (a WAIT blocks its connection, hence the connection of its own).
 * - A write whose reply was lost in a failover is resent to the new primary by the
 *   client (so the writes must be idempotent); one answered on a connection that
 *   dropped before its WAIT answered throws UnconfirmedWriteError: write it again.
 * - When fewer replicas answer within the timeout (a replica down, or none left after
 *   a failover), writes are not held up: the next WAITs block 10 ms at most, until
 *   one sees the replicas back. While degraded, a write survives only if the primary does.
 * - With `replicas` 0 the scripts run on the shared connection as plain EVALs.
 */
export class ReplicatedWrites {
  readonly #shared: RedisClient;
  readonly #wait: ReplicaWait;
  readonly #events: ReplicationEvents;
  #own: RedisClient | null = null;
  /** Counts the own connection's drops: a WAIT answered on another connection than the write confirms nothing. */
  #epoch = 0;
  #degraded = false;
  #queue: Waiter[] = [];
  #waiting = false;

  /** Plain EVALs on `redis`, waiting for no replica: what a store uses when given no writes. */
  static plain(redis: RedisClient): ReplicatedWrites {
    return new ReplicatedWrites({ redis, wait: NO_REPLICA_WAIT });
  }

  constructor(o: { redis: RedisClient; wait: ReplicaWait } & ReplicationEvents) {
    this.#shared = o.redis;
    this.#wait = o.wait;
    this.#events = o;
  }

  /** Whether writes wait for replicas at all. */
  get waits(): boolean {
    return this.#wait.replicas > 0;
  }

  /** Runs `script` (EVAL) and, when replicas are wanted, resolves once they have its effects. */
  async eval(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (!this.waits) return this.#shared.eval(script, keys.length, ...keys, ...args);
    const value = await this.#connection().eval(script, keys.length, ...keys, ...args);
    const epoch = this.#epoch;
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ epoch, value, resolve, reject });
      this.#next();
    });
    return value;
  }

  /** Closes the connection of its own (the shared one is not ours). */
  close(): void {
    this.#own?.disconnect();
    this.#own = null;
  }

  /** Sends one WAIT for every writer queued, unless one is in flight (its writers come next). */
  #next(): void {
    if (this.#waiting || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#waiting = true;
    const timeout = this.#degraded ? PROBE_MS : this.#wait.timeoutMs;
    this.#connection()
      .wait(this.#wait.replicas, timeout)
      .then(
        (count) => {
          const epoch = this.#epoch;
          this.#acked(Number(count));
          for (const w of batch) {
            if (w.epoch === epoch) w.resolve();
            else w.reject(new UnconfirmedWriteError(w.value, null));
          }
        },
        (error: unknown) => {
          for (const w of batch) w.reject(new UnconfirmedWriteError(w.value, error));
        },
      )
      .finally(() => {
        this.#waiting = false;
        this.#next();
      });
  }

  #acked(count: number): void {
    const short = count < this.#wait.replicas;
    if (short === this.#degraded) return;
    this.#degraded = short;
    if (short) this.#events.onDegraded?.(count);
    else this.#events.onRecovered?.();
  }

  #connection(): RedisClient {
    if (!this.#own) {
      // Commands wait through a failover instead of failing after some reconnects.
      const own = duplicateClient(this.#shared, {
        connectionName: 'berth-replicated',
        maxRetriesPerRequest: null,
      });
      own.on('error', () => {});
      own.on('close', () => {
        this.#epoch++;
      });
      this.#own = own;
    }
    return this.#own;
  }
}
