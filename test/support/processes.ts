import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Command lines of live processes that contain `marker` (zombies excluded). */
export async function processesWith(marker: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'stat=,pid=,args=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(marker) && !line.trim().startsWith('Z') && !line.includes('ps -eo'))
    .map((line) => line.trim());
}

/** SIGKILLs every live process whose command line contains `marker` (a failed test's leftovers). */
export async function killAllWith(marker: string): Promise<void> {
  for (const line of await processesWith(marker)) {
    try {
      process.kill(Number(line.split(/\s+/)[1]), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** A string unlikely to appear in any other process's command line. */
export const uniqueMarker = () => `berth-marker-${process.pid}-${Math.random().toString(36).slice(2)}`;

/**
 * Processes with `marker` still alive after up to `ms`: a SIGKILLed process can
 * stay listed (runnable, dying) for a moment on a loaded machine.
 */
export async function survivorsWith(marker: string, ms = 3000): Promise<string[]> {
  const until = Date.now() + ms;
  let left = await processesWith(marker);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = await processesWith(marker);
  }
  return left;
}
