import type { BuildState } from '../vocab/index.ts';

const NEXT: Record<BuildState, readonly BuildState[]> = {
  // queued → queued: a worker claims a build that then waits for slots; a build whose
  // file is invalid ends failed without having run.
  queued: ['queued', 'running', 'failed', 'cancelled', 'error'],
  // running → running: a worker taking over a stalled build claims it again.
  running: ['running', 'success', 'failed', 'error', 'cancelled'],
  success: [],
  failed: [],
  error: [],
  cancelled: [],
};

/** Whether a build in `from` may move to `to` (queued → running → final). */
export function canTransition(from: BuildState, to: BuildState): boolean {
  return NEXT[from].includes(to);
}

/** Final states never change again. */
export function isFinal(state: BuildState): boolean {
  return NEXT[state].length === 0;
}

/** States a build is "in progress" in (dedupe joins these; cancel targets these). */
export const ACTIVE_STATES: readonly BuildState[] = ['queued', 'running'];
