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
  stop(): Promise<void>;
}

/** Starts `size` (at least 3) `redis-server --cluster-enabled yes` nodes and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(size = 3): Promise<TestCluster> {
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
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (const server of servers) {
      const client = new Redis(server.url);
      try {
        await until(async () => (await client.cluster('INFO')).includes('cluster_state:ok'), 15_000);
      } finally {
        client.disconnect();
      }
    }
    return { nodes: addresses.join(','), servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
