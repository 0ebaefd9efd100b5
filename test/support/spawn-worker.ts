import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

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
