import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './redis.ts';

const BERTH = new URL('../../bin/berth.js', import.meta.url).pathname;

/** Starts test/support/worker-process.ts on `url`; resolves when it takes jobs. */
export async function spawnWorker(url: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [new URL('./worker-process.ts', import.meta.url).pathname], {
    env: { ...process.env, REDIS_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('ready')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

/** Resolves with the exit code (or signal) once the process is gone. */
export async function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return child.exitCode;
  if (child.signalCode !== null) return child.signalCode;
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  return code ?? signal ?? -1;
}

/**
 * Starts `berth serve --role worker` on `url` with the local runtime and otherwise the
 * defaults (plus `env`); resolves once its /readyz answers 200.
 */
export async function spawnServeWorker(url: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BERTH, 'serve', '--role', 'worker'], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      BERTH_RUNTIME: 'local',
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ready = async () =>
    (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200;
  for (const until = Date.now() + 30_000; !(await ready()); await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`berth serve --role worker did not become ready (exit ${child.exitCode})`);
    }
  }
  return child;
}
