import { Cluster, Redis } from 'ioredis';
import type { RedisTarget } from './target.ts';

/** What REDIS_URL gives a Sentinel or Cluster target. */
interface Auth {
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

/** A connection to Berth's Redis: one server (plain or behind Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** How one connection behaves. */
export interface ConnectOptions {
  /** CLIENT SETNAME, to tell Berth's connections apart in CLIENT LIST. */
  connectionName: string;
  /** null: a command waits through reconnects instead of failing (BullMQ, blocking readers). */
  maxRetriesPerRequest?: number | null;
}

/**
 * Opens a connection to the target. Sentinel: ioredis asks the sentinels for the
 * primary and follows failovers. Cluster: ioredis follows MOVED/ASK; Berth keeps each
 * of its multi-key scripts' keys under one hash tag (src/redis-keys.ts).
 */
export function connectRedis(target: RedisTarget, o: ConnectOptions): RedisClient {
  // ConnectOptions is a subset of ioredis' options: passed on as they are.
  if (typeof target === 'string') return new Redis(target, { ...o });
  const auth = target.url ? authOf(target.url) : {};
  if (target.kind === 'sentinel') {
    return new Redis({
      ...o,
      ...auth,
      sentinels: target.sentinels,
      name: target.name,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      // A primary that became a replica (failover) answers READONLY: reconnect to the new one.
      reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
      // Ask the sentinels again at least every second while the primary is away, so
      // Berth is back within about a second of the promotion (ioredis' default backs off to 5 s).
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
    });
  }
  return new Cluster(target.nodes, { redisOptions: { ...o, ...auth } });
}

/** Another connection to the same target with other options (a blocking reader, a subscriber). */
export function duplicateClient(client: RedisClient, o: ConnectOptions): RedisClient {
  if (client instanceof Cluster) {
    // Cluster.duplicate merges options shallowly: keep the nodes' user, password and TLS.
    const { replyMapping: _, ...inherited } = client.options.redisOptions ?? {};
    return client.duplicate(undefined, { redisOptions: { ...inherited, ...o } });
  }
  return client.duplicate({ ...o });
}

/** User, password, database and TLS from a `redis://` or `rediss://` URL. */
function authOf(raw: string): Auth {
  const url = new URL(raw);
  const db = Number(url.pathname.slice(1) || '0');
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db > 0 ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
