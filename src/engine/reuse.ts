import type { PlannedStep } from '../pipeline/types.ts';
import type { StepResult } from './types.ts';

/** Steps a rerun does not run: `stage\0step` to the id of the build that ran it successfully. */
export type ReusedSteps = ReadonlyMap<string, string>;

export const reuseKey = (step: { stage: string; name: string }): string => `${step.stage}\0${step.name}`;

/** The stages of an earlier build as its record keeps them. */
export interface EarlierStage {
  name: string;
  status: string;
  steps: Array<{ name: string; status: string; reusedFrom?: string }>;
}

/**
 * What a `/retest` may reuse from the earlier build `buildId`: the steps that succeeded
 * (or were reused) in the stages up to and including the first one that did not
 * succeed; failed, cancelled and errored steps, and every later stage, run again.
 */
export function reusableSteps(buildId: string, stages: readonly EarlierStage[]): ReusedSteps {
  const reused = new Map<string, string>();
  for (const stage of stages) {
    for (const step of stage.steps) {
      if (step.status === 'success') reused.set(reuseKey({ stage: stage.name, name: step.name }), buildId);
      if (step.status === 'reused' && step.reusedFrom)
        reused.set(reuseKey({ stage: stage.name, name: step.name }), step.reusedFrom);
    }
    if (stage.status !== 'success' && stage.status !== 'skipped') break;
  }
  return reused;
}

/** The result of a step not run because an earlier build of the same sha ran it successfully. */
export function reusedStep(step: PlannedStep, from: string): StepResult {
  const base = {
    stage: step.stage,
    name: step.name,
    exitCode: 0,
    reason: null,
    startedAt: null,
    finishedAt: null,
  };
  return { ...base, status: 'reused', message: `reused from build ${from}`, reusedFrom: from };
}
