import { killGroup } from './process-group.ts';

/** Step process groups SIGKILLed if this process exits while they run (a forced exit, a second Ctrl-C). */
export interface ExitGuard {
  track(pgid: number, running: boolean): void;
}

/**
 * One process 'exit' hook for every running step group of a runtime, registered while
 * any group runs (a worker with 50 concurrent builds adds one listener, not 50).
 */
export function createExitGuard(): ExitGuard {
  const groups = new Set<number>();
  const killAll = () => {
    for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  };
  return {
    track(pgid, running) {
      if (running) {
        if (groups.size === 0) process.on('exit', killAll);
        groups.add(pgid);
      } else if (groups.delete(pgid) && groups.size === 0) {
        process.off('exit', killAll);
      }
    },
  };
}
