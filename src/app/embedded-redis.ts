import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../errors.ts';

/** A Redis to use: the configured one, or a `redis-server` this process started (and stops). */
export interface RedisEndpoint {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** `REDIS_URL` when set; else a private `redis-server` from PATH on a free port; else a ConfigError naming REDIS_URL. */
export async function resolveRedis(
  redisUrl: string | null,
  path: string | undefined,
): Promise<RedisEndpoint> {
  if (redisUrl) return { url: redisUrl, embedded: false, stop: async () => {} };
  const binary = await findOnPath('redis-server', path);
  if (!binary)
    throw new ConfigError(
      'REDIS_URL is not set and no redis-server is on PATH: set REDIS_URL=redis://HOST:6379',
    );
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'berth-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    await ready(child);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new ConfigError(
      `REDIS_URL is not set and the embedded redis-server did not start: ${(error as Error).message}`,
    );
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    embedded: true,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ready(child: ChildProcess): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${seen.trim().split('\n').at(-1)}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  child.stdout?.resume();
  child.stderr?.resume();
}

async function findOnPath(name: string, path: string | undefined): Promise<string | null> {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
