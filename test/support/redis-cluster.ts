import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { until } from './api-client.ts';
import { startRedis, type TestRedis } from './redis.ts';

const run = promisify(execFile);

/** A private Redis Cluster of primaries on free ports; `nodes` is REDIS_CLUSTER_NODES' value. */
export interface TestCluster {
  nodes: string;
  servers: TestRedis[];
  /** SIGKILLs the primary that holds `key`'s slot now; resolves with its port. */
  killPrimaryOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

/** The port of the primary serving `slot`, from CLUSTER NODES as `client`'s node sees it. */
async function primaryPortOf(client: Redis, slot: number): Promise<number> {
  for (const line of String(await client.cluster('NODES'))
    .trim()
    .split('\n')) {
    const fields = line.split(' ');
    if (!fields[2]?.includes('master') || fields[2].includes('fail')) continue;
    const serves = fields.slice(8).some((range) => {
      const [from = NaN, to = from] = range.split('-').map(Number);
      return from <= slot && slot <= to;
    });
    if (serves) return Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]);
  }
  throw new Error(`no primary serves slot ${slot}`);
}

/**
 * Starts `primaries` (at least 3) × (1 + `replicas`) `redis-server --cluster-enabled yes`
 * nodes and joins them with `redis-cli --cluster create`.
 */
export async function startRedisCluster(
  o: { primaries?: number; replicas?: number } = {},
): Promise<TestCluster> {
  const replicas = o.replicas ?? 0;
  const size = (o.primaries ?? 3) * (1 + replicas);
  const servers: TestRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < size; i++) {
      servers.push(
        await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    // Ready when every node sees the cluster ok and, with replicas, each replica is in sync
    // (a replica still syncing does not fail over when its primary dies).
    for (const server of servers) {
      const client = new Redis(server.url);
      try {
        await until(async () => {
          if (!(await client.cluster('INFO')).includes('cluster_state:ok')) return false;
          const replication = await client.info('replication');
          return !replication.includes('role:slave') || replication.includes('master_link_status:up');
        }, 15_000);
      } finally {
        client.disconnect();
      }
    }
    if (replicas > 0) {
      const client = new Redis(servers[0]?.url ?? '');
      try {
        const replicaCount = async () =>
          String(await client.cluster('NODES'))
            .split('\n')
            .filter((line) => / slave /.test(line)).length;
        await until(async () => (await replicaCount()) === size - size / (1 + replicas), 15_000);
      } finally {
        client.disconnect();
      }
    }
    const killed = new Set<number>();
    const killPrimaryOf = async (key: string) => {
      const alive = servers.find((server) => !killed.has(server.port));
      const client = new Redis(alive?.url ?? '');
      try {
        const port = await primaryPortOf(client, Number(await client.cluster('KEYSLOT', key)));
        killed.add(port);
        await servers.find((server) => server.port === port)?.kill();
        return port;
      } finally {
        client.disconnect();
      }
    };
    return { nodes: addresses.join(','), servers, killPrimaryOf, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
