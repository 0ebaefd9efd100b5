import { constants } from 'node:os';
import type { StepOutput } from '../../logs/types.ts';
import type { StepOutcome } from '../types.ts';
import type { Launcher } from './launcher.ts';

export interface GroupOptions {
  launcher: Launcher;
  cwd: string;
  env: Record<string, string>;
  output: StepOutput;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL when stopping. */
  killGraceMs: number;
  /** Told when the group starts (true) and when it has ended (false). */
  track: (pgid: number, running: boolean) => void;
}

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
  let pgid: number | null = null;
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (pgid === null || graceTimer) return;
    killGroup(pgid, 'SIGTERM');
    const group = pgid;
    graceTimer = setTimeout(() => killGroup(group, 'SIGKILL'), options.killGraceMs);
  };
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    const end = await options.launcher.run({
      file,
      args,
      cwd: options.cwd,
      env: options.env,
      onStart(pid) {
        pgid = pid;
        options.track(pid, true);
        if (options.signal.aborted) stop();
      },
      onOutput: (stream, data) => options.output.write(stream, data),
    });
    if (end.kind === 'failed') {
      if (pgid !== null) killGroup(pgid, 'SIGKILL');
      const message = end.code === 'ENOENT' ? `cannot run "${file}": not found` : end.message;
      return { status: 'error', reason: end.code ? 'config' : 'infrastructure', message };
    }
    if (options.signal.aborted) return { status: 'cancelled', message: 'stopped' };
    return exitOutcome(end.code, end.signal);
  } finally {
    clearTimeout(graceTimer);
    options.signal.removeEventListener('abort', stop);
    if (pgid !== null) options.track(pgid, false);
  }
}

function exitOutcome(code: number | null, signal: NodeJS.Signals | null): StepOutcome {
  if (code === 0) return { status: 'success', exitCode: 0 };
  if (code !== null) return { status: 'failed', exitCode: code, message: `exited with code ${code}` };
  const number = signal ? (constants.signals[signal] ?? 0) : 0;
  return { status: 'failed', exitCode: 128 + number, message: `killed by ${signal ?? 'a signal'}` };
}
