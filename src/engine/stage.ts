import type { PlannedStage, RunsIf } from '../pipeline/types.ts';
import { SiblingFailedError } from '../stop-reasons.ts';
import type { FinalStatus } from '../vocab/index.ts';
import { reusedStep, reuseKey } from './reuse.ts';
import { runStep, type StepContext, skippedStep } from './step.ts';
import { deadline } from './stop.ts';
import type { StageResult, StepResult } from './types.ts';

/** Whether a stage with `runsIf` runs, given whether an earlier stage failed. */
export function shouldRun(runsIf: RunsIf, failedBefore: boolean): boolean {
  if (runsIf === 'always') return true;
  return runsIf === 'fail' ? failedBefore : !failedBefore;
}

/**
 * Runs the steps of a stage in parallel. The first step that fails or errors
 * cancels its running siblings (fail-fast); the stage status is decided from all
 * results once every step has ended.
 */
export async function runStage(stage: PlannedStage, buildSignal: AbortSignal, ctx: StepContext) {
  const startedAt = ctx.now().toISOString();
  const siblings = deadline(buildSignal, null);
  const steps = await Promise.all(
    stage.steps.map(async (step) => {
      const from = ctx.reused?.get(reuseKey(step));
      if (from !== undefined) {
        const reused = reusedStep(step, from);
        ctx.emit({ type: 'step-finished', result: reused });
        return reused;
      }
      const result = await runStep(step, siblings.signal, ctx);
      if (result.status === 'failed' || result.status === 'error') {
        siblings.abort(new SiblingFailedError(`cancelled: ${step.stage}/${step.name} failed`));
      }
      return result;
    }),
  );
  siblings.dispose();
  const result: StageResult = {
    name: stage.name,
    status: stageStatus(steps),
    startedAt,
    finishedAt: ctx.now().toISOString(),
    steps,
  };
  return result;
}

/** A stage that did not run: every step skipped. */
export function skippedStage(stage: PlannedStage): StageResult {
  const steps = stage.steps.map(skippedStep);
  return { name: stage.name, status: 'skipped', startedAt: null, finishedAt: null, steps };
}

/** error over failed over cancelled over success: decided on all steps, not the last finisher. */
export function stageStatus(steps: StepResult[]): FinalStatus {
  for (const status of ['error', 'failed', 'cancelled'] as const) {
    if (steps.some((s) => s.status === status)) return status;
  }
  return 'success';
}
