import type { Logger } from 'pino';
import { BuildStore } from '../builds/store.ts';
import { RedisLogStore } from '../logs/redis-store.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { connectRedis, type RedisClient } from '../redis/connect.ts';
import { NO_REPLICA_WAIT, ReplicatedWrites, type ReplicaWait } from '../redis/replicated.ts';
import type { RedisTarget } from '../redis/target.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import { CancelBus } from './cancel-bus.ts';
import { QueueBuildService } from './service.ts';
import { type SlotCaps, Slots } from './slots/slots.ts';

/** Where Redis is and how long / how much is kept. */
export interface QueueStackOptions {
  /** A URL, or Sentinel / Cluster (src/redis/target.ts). */
  redis: RedisTarget;
  logger: Logger;
  /** Every key and queue name (BERTH_REDIS_PREFIX); default: under `berth`. */
  keys?: RedisKeys;
  retentionMs: number;
  logCaps: { stepBytes: number; buildBytes: number };
  /** Logs this process follows at once, in all and of one build (SSE followers). */
  followers?: { perProcess: number; perBuild: number };
  /** Fair-share caps (BERTH_REPO_CONCURRENCY, BERTH_OWNER_CONCURRENCY); default 4 and 16. */
  caps?: SlotCaps;
  /** Counts the log lines this process stores. */
  metrics?: Pick<Metrics, 'logLines'>;
  /** Replicas that must have each log batch and record update (BERTH_REDIS_WAIT_REPLICAS); default none. */
  wait?: ReplicaWait;
}

/** The Redis-backed pieces every role shares: connections, records, logs, cancel bus, build service. */
export interface QueueStack {
  /** Commands (records, logs, pub). */
  redis: RedisClient;
  /** The key plan every piece uses. */
  keys: RedisKeys;
  /** BullMQ's connection: retries forever instead of failing requests. */
  bull: RedisClient;
  store: BuildStore;
  logs: RedisLogStore;
  bus: CancelBus;
  /** Concurrency groups and fair-share caps. */
  slots: Slots;
  service: QueueBuildService;
  close(): Promise<void>;
}

/** Connects to Redis and builds the shared pieces. */
export function createQueueStack(o: QueueStackOptions): QueueStack {
  const redis = connectRedis(o.redis, { connectionName: 'berth' });
  const bull = connectRedis(o.redis, { connectionName: 'berth-queue', maxRetriesPerRequest: null });
  for (const connection of [redis, bull]) {
    connection.on('error', (err) => o.logger.debug({ err }, 'redis connection error'));
  }
  const keys = o.keys ?? redisKeys();
  const wait = o.wait ?? NO_REPLICA_WAIT;
  const writes = new ReplicatedWrites({
    redis,
    wait,
    onDegraded: (acked) =>
      o.logger.warn(
        { acked, wanted: wait.replicas, timeoutMs: wait.timeoutMs },
        'redis replicas did not acknowledge in time: writing without waiting for them until they do',
      ),
    onRecovered: () => o.logger.info({ wanted: wait.replicas }, 'redis replicas acknowledge writes again'),
  });
  const store = new BuildStore({ redis, keys, retentionMs: o.retentionMs, writes });
  const onError = (err: unknown) => o.logger.warn({ err }, 'storing log lines failed; trying again');
  const onLost = (build: string, lines: number, why: string) =>
    o.logger.warn({ build, lines, why }, 'log lines lost');
  const { metrics } = o;
  const logs = new RedisLogStore({
    redis,
    keys,
    retentionMs: o.retentionMs,
    caps: o.logCaps,
    writes,
    onError,
    onLost,
    ...(o.followers ? { followers: o.followers } : {}),
    ...(metrics ? { onStored: (lines: number) => metrics.logLines(lines) } : {}),
  });
  const bus = new CancelBus({ redis, keys });
  const slots = new Slots({ redis, base: keys.slots, caps: o.caps ?? { repo: 4, owner: 16 } });
  const service = new QueueBuildService({
    connection: bull,
    store,
    logs,
    bus,
    slots,
    logger: o.logger,
    keys,
  });
  // Without a listener BullMQ prints each connection error to stderr, unstructured.
  service.queue.on('error', (err) => o.logger.debug({ err }, 'build queue connection error'));
  return {
    redis,
    keys,
    bull,
    store,
    logs,
    bus,
    slots,
    service,
    close: async () => {
      await service.close();
      logs.close();
      writes.close();
      redis.disconnect();
      bull.disconnect();
    },
  };
}
