import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';

/** A private redis-server on a free port; stop() kills it, restart() brings it back on the same port. */
export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILL, for fault tests. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that answers nothing for a while (a lagging replica). */
  pause(): void;
  resume(): void;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** How startRedis starts its server. */
export interface StartRedisOptions {
  /** Every write goes to an append-only file first, so a killed server loses nothing. */
  durable?: boolean;
  /** More `redis-server` arguments (a cluster node's, a replica's `--replicaof 127.0.0.1 PORT`). */
  args?: string[];
  /** Default: a free one. */
  port?: number;
}

/** A private redis-server on a free port in a temp dir of its own. */
export async function startRedis(o: StartRedisOptions = {}): Promise<TestRedis> {
  const port = o.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'berth-redis-'));
  let child: ChildProcess | null = null;

  const launch = async () => {
    child = await spawnUntilReady('redis-server', [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      ...(o.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ...(o.args ?? []),
    ]);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    proc.removeAllListeners('exit');
    const exited = once(proc, 'exit');
    proc.kill(signal);
    // A paused server (SIGSTOP) acts on SIGTERM only once it runs again.
    if (signal !== 'SIGKILL') proc.kill('SIGCONT');
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await halt('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGKILL');
      await launch();
    },
    pause: () => {
      (child as ChildProcess | null)?.kill('SIGSTOP');
    },
    resume: () => {
      (child as ChildProcess | null)?.kill('SIGCONT');
    },
  };
}

/**
 * Spawns a Redis binary (`redis-server`, `redis-sentinel`) logging to stdout and
 * resolves once it says `ready` (default: "Ready to accept connections").
 */
export async function spawnUntilReady(
  command: string,
  args: string[],
  ready = 'Ready to accept connections',
): Promise<ChildProcess> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${seen}`)));
    proc.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(ready)) resolve();
    });
  });
  proc.removeAllListeners('exit');
  proc.stdout?.removeAllListeners('data');
  proc.stdout?.resume();
  return proc;
}

/** A private Redis and a client on it for the enclosing suite: started in `before`, stopped in `after`. */
export function useRedis(): { readonly server: TestRedis; readonly redis: Redis } {
  let server: TestRedis | undefined;
  let redis: Redis | undefined;
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('useRedis: the suite has not started');
      return server;
    },
    get redis() {
      if (!redis) throw new Error('useRedis: the suite has not started');
      return redis;
    },
  };
}

/** Every key on one server, by SCAN (never KEYS), sorted. */
export async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** Cuts the connection of ReplicatedWrites while its WAIT blocks (as a failover would); resolves once cut. */
export async function cutWaitingConnection(redis: Redis): Promise<void> {
  let id = '';
  for (const end = Date.now() + 10_000; id === '' && Date.now() < end; ) {
    const list = String(await redis.client('LIST'));
    id = /id=(\d+) [^\n]*name=berth-replicated [^\n]*cmd=wait/.exec(list)?.[1] ?? '';
    if (id === '') await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (id === '') throw new Error('no connection of ReplicatedWrites was blocked in WAIT');
  await redis.client('KILL', 'ID', id);
}
