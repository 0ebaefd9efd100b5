import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { StepOutput } from '../../logs/types.ts';
import type { StepOutcome } from '../types.ts';

export interface GroupOptions {
  cwd: string;
  env: Record<string, string>;
  output: StepOutput;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL when stopping. */
  killGraceMs: number;
  /** Told when the group starts (true) and when it has ended (false). */
  track: (pgid: number, running: boolean) => void;
}

/** How long pipes may stay open after the main process exited (escaped daemons). */
const PIPE_GRACE_MS = 2000;

/** Sends `signal` to every process of group `pgid`; false when none is left. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs argv as the leader of a new process group. Aborting `signal` sends the
 * group SIGTERM, then SIGKILL after the grace; when the leader exits, whatever it
 * left behind in the group is killed too, so nothing outlives the step.
 */
export async function runInGroup(argv: string[], options: GroupOptions): Promise<StepOutcome> {
  const [file, ...args] = argv;
  if (!file) return { status: 'error', reason: 'config', message: 'the step has no command' };
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  const closed = new Promise((resolve) => child.once('close', resolve));
  const failure = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
  if (failure) {
    const message = failure.code === 'ENOENT' ? `cannot run "${file}": not found` : failure.message;
    return { status: 'error', reason: 'config', message };
  }
  child.on('error', () => {});
  const pgid = child.pid as number;
  options.track(pgid, true);
  child.stdout.on('data', (chunk: Buffer) => options.output.write('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => options.output.write('stderr', chunk));
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup(pgid, 'SIGTERM');
    graceTimer = setTimeout(() => killGroup(pgid, 'SIGKILL'), options.killGraceMs);
  };
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  try {
    const [code, signal] = await exited;
    killGroup(pgid, 'SIGKILL');
    await waitForPipes(closed, child);
    if (options.signal.aborted) return { status: 'cancelled', message: 'stopped' };
    return exitOutcome(code, signal);
  } finally {
    clearTimeout(graceTimer);
    options.signal.removeEventListener('abort', stop);
    options.track(pgid, false);
  }
}

async function waitForPipes(closed: Promise<unknown>, child: ReturnType<typeof spawn>) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, PIPE_GRACE_MS);
  });
  await Promise.race([closed, late]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

function exitOutcome(code: number | null, signal: NodeJS.Signals | null): StepOutcome {
  if (code === 0) return { status: 'success', exitCode: 0 };
  if (code !== null) return { status: 'failed', exitCode: code, message: `exited with code ${code}` };
  const number = signal ? (constants.signals[signal] ?? 0) : 0;
  return { status: 'failed', exitCode: 128 + number, message: `killed by ${signal ?? 'a signal'}` };
}
