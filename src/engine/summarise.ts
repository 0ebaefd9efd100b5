import { type StopError, stopOutcome } from '../stop-reasons.ts';
import type { ReasonClass } from '../vocab/index.ts';
import type { BuildResult, StageResult, StepResult } from './types.ts';

interface Ending {
  startedAt: string;
  finishedAt: string;
  /** Why the build's own signal was aborted (user cancel or build timeout), if it was. */
  stopped: StopError | null;
  /** The runtime could not open the build. */
  failure: { reason: ReasonClass; message: string } | null;
}

/** The build's status from its stages: the first stage that did not succeed decides. */
export function summarise(stages: StageResult[], ending: Ending): BuildResult {
  const base = { startedAt: ending.startedAt, finishedAt: ending.finishedAt, stages };
  const stop = ending.stopped && stopOutcome(ending.stopped);
  if (stop?.status === 'cancelled') return { ...base, ...stop };
  if (ending.failure) return { ...base, status: 'error', ...ending.failure };
  if (stop) return { ...base, ...stop };
  for (const stage of stages) {
    if (stage.status === 'success' || stage.status === 'skipped') continue;
    const step = stage.steps.find((s) => s.status === stage.status) as StepResult;
    const message = `${step.stage}/${step.name}: ${step.message ?? step.status}`;
    return { ...base, status: stage.status, reason: step.reason, message };
  }
  return { ...base, status: 'success', reason: null, message: null };
}
