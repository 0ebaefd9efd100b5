// A Redis primary, replicas and three real `redis-sentinel`s on free local ports, for
// failover tests and benches: kill the primary, wait for the sentinels to promote a replica.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { until } from './api-client.ts';
import { freePort, spawnUntilReady, startRedis, type TestRedis } from './redis.ts';

/** How fast the sentinels act (small, so a test fails over within seconds). */
export interface SentinelSetOptions {
  /** The name the sentinels monitor (REDIS_SENTINEL_NAME). */
  name?: string;
  replicas?: number;
  /** A primary unreachable this long is subjectively down (`down-after-milliseconds`). */
  downAfterMs?: number;
  /** `failover-timeout`. */
  failoverTimeoutMs?: number;
}

/** A running primary + replicas watched by three sentinels (quorum 2). */
export interface TestSentinelSet {
  name: string;
  /** `host:port,…` of the sentinels: REDIS_SENTINELS. */
  sentinels: string;
  /** Every data node, the primary first as started. */
  nodes: TestRedis[];
  /** The port the sentinels name as primary now. */
  primaryPort(): Promise<number>;
  /**
   * Makes the replicas lag: pauses them (SIGSTOP) and drops their links on the primary
   * (CLIENT KILL TYPE replica), so what the primary stores from now on is on the
   * primary only. Resolves with a function that lets them run again.
   */
  lagReplicas(): Promise<() => void>;
  /** SIGKILLs the node the sentinels name as primary; resolves with its port. */
  killPrimary(): Promise<number>;
  /** Resolves with the new primary's port once the sentinels name one other than `oldPort`. */
  failedOver(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Whether `redis-sentinel` is on PATH. */
export function hasRedisSentinel(): boolean {
  try {
    execFileSync('redis-sentinel', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a sentinel test may run here: true when `redis-sentinel` is on PATH. Without
 * it, false with a loud message, or an error when BERTH_REQUIRE_REDIS_SENTINEL=1 (CI).
 */
export function sentinelTestsCanRun(): boolean {
  if (hasRedisSentinel()) return true;
  if (process.env.BERTH_REQUIRE_REDIS_SENTINEL === '1')
    throw new Error('BERTH_REQUIRE_REDIS_SENTINEL=1 but redis-sentinel is not on PATH');
  console.error(
    `\n${'!'.repeat(78)}\n!!! REDIS SENTINEL TESTS SKIPPED: redis-sentinel is not on PATH.\n!!! apt-get install redis-sentinel (.ci/run does).\n${'!'.repeat(78)}\n`,
  );
  return false;
}

/**
 * Starts a primary, its replicas (`--replicaof`) and three sentinels (quorum 2), and
 * resolves once every sentinel knows the replicas and the other two sentinels, so a
 * kill of the primary fails over.
 */
export async function startSentinelSet(o: SentinelSetOptions = {}): Promise<TestSentinelSet> {
  const name = o.name ?? 'berth';
  const downAfterMs = o.downAfterMs ?? 800;
  const failoverTimeoutMs = o.failoverTimeoutMs ?? 3000;
  const primary = await startRedis();
  const nodes = [primary];
  const sentinels: Array<{ port: number; stop(): Promise<void> }> = [];
  const dir = await mkdtemp(join(tmpdir(), 'berth-sentinel-'));
  const stop = async () => {
    for (const s of sentinels) await s.stop();
    for (const node of nodes) await node.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < (o.replicas ?? 1); i++) {
      nodes.push(await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] }));
    }
    await waitFor(() => replicasLinked(primary.port, nodes.length - 1), 10_000, 'replicas linked');
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${i}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const proc = await spawnUntilReady('redis-sentinel', [file], `+monitor master ${name}`);
      sentinels.push({
        port,
        stop: async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = once(proc, 'exit');
          proc.kill('SIGKILL');
          await exited;
        },
      });
    }
    await waitFor(
      async () => {
        for (const s of sentinels) {
          const known = await ask(s.port, async (r) => ({
            replicas: ((await r.call('SENTINEL', 'REPLICAS', name)) as unknown[]).length,
            sentinels: ((await r.call('SENTINEL', 'SENTINELS', name)) as unknown[]).length,
          }));
          if (known.replicas < nodes.length - 1 || known.sentinels < 2) return false;
        }
        return true;
      },
      15_000,
      'sentinels know each other and the replicas',
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const primaryPort = async () => {
    for (const s of sentinels) {
      try {
        const addr = await ask(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name));
        return Number((addr as string[])[1]);
      } catch {
        // try the next sentinel
      }
    }
    throw new Error('no sentinel answered');
  };
  return {
    name,
    sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    nodes,
    primaryPort,
    lagReplicas: async () => {
      const port = await primaryPort();
      const replicas = nodes.filter((n) => n.port !== port);
      for (const r of replicas) r.pause();
      await ask(port, (r) => r.call('CLIENT', 'KILL', 'TYPE', 'replica'));
      return () => {
        for (const r of replicas) r.resume();
      };
    },
    killPrimary: async () => {
      const port = await primaryPort();
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`the primary ${port} is not one of the set's nodes`);
      await node.kill();
      return port;
    },
    failedOver: async (oldPort, timeoutMs = 30_000) => {
      let now = oldPort;
      await waitFor(
        async () => {
          now = await primaryPort();
          return now !== oldPort && (await role(now)) === 'master';
        },
        timeoutMs,
        'failover',
      );
      return now;
    },
    stop,
  };
}

/** Runs `fn` on a short-lived connection to 127.0.0.1:port. */
async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

async function role(port: number): Promise<string> {
  return ask(port, async (r) => String(((await r.call('ROLE')) as unknown[])[0]));
}

async function replicasLinked(port: number, count: number): Promise<boolean> {
  const info = await ask(port, (r) => r.info('replication'));
  return (info.match(/state=online/g) ?? []).length >= count;
}

/** `until`, with errors of `check` counted as "not yet", and saying what it waited for. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await until(() => check().catch(() => false), timeoutMs).catch(() => {
    throw new Error(`timed out waiting for: ${what}`);
  });
}
