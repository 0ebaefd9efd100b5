import { BerthError } from '../errors.ts';
import { createStepOutput } from '../logs/step-output.ts';
import type { LogSink } from '../logs/types.ts';
import type { PlannedStep } from '../pipeline/types.ts';
import type { RuntimeSession, StepOutcome } from '../runtime/types.ts';
import { deadline, formatDuration, type StopCause } from './stop.ts';
import type { BuildEvent, StepResult } from './types.ts';

/** What every step of one build shares. */
export interface StepContext {
  session: RuntimeSession;
  sink: LogSink;
  secrets: string[];
  capBytes: number;
  stepMs: number;
  now: () => Date;
  emit: (event: BuildEvent) => void;
}

/** Runs one step to a StepResult; a runtime exception becomes an `error` result. */
export async function runStep(
  step: PlannedStep,
  stageSignal: AbortSignal,
  ctx: StepContext,
): Promise<StepResult> {
  const startedAt = ctx.now().toISOString();
  ctx.emit({ type: 'step-started', stage: step.stage, step: step.name, at: startedAt });
  const now = () => ctx.now().getTime();
  const output = createStepOutput(ctx.sink, { stage: step.stage, step: step.name }, { ...ctx, now });
  const limit = deadline(stageSignal, ctx.stepMs, `step timed out after ${formatDuration(ctx.stepMs)}`);
  let outcome: StepOutcome;
  try {
    outcome = await ctx.session.runStep(step, { output }, limit.signal);
  } catch (error) {
    const reason = error instanceof BerthError ? error.reason : 'infrastructure';
    outcome = { status: 'error', reason, message: (error as Error)?.message ?? String(error) };
  } finally {
    limit.dispose();
  }
  const result = toResult(step, outcome, limit.cause(), startedAt, ctx.now().toISOString());
  output.line('system', describeResult(result));
  output.end();
  ctx.emit({ type: 'step-finished', result });
  return result;
}

/** A step that never ran. */
export function skippedStep(step: PlannedStep): StepResult {
  const base = { stage: step.stage, name: step.name, exitCode: null, reason: null, message: null };
  return { ...base, status: 'skipped', startedAt: null, finishedAt: null };
}

function toResult(
  step: PlannedStep,
  outcome: StepOutcome,
  stopped: StopCause | null,
  startedAt: string,
  finishedAt: string,
): StepResult {
  const base = { stage: step.stage, name: step.name, startedAt, finishedAt };
  if (outcome.status === 'success')
    return { ...base, status: 'success', exitCode: 0, reason: null, message: null };
  if (stopped || outcome.status === 'cancelled') {
    const cause = stopped ?? { reason: 'cancelled', message: outcome.message };
    const status = cause.reason === 'timeout' ? 'failed' : 'cancelled';
    return { ...base, status, exitCode: null, reason: cause.reason, message: cause.message };
  }
  if (outcome.status === 'failed') {
    return {
      ...base,
      status: 'failed',
      exitCode: outcome.exitCode,
      reason: 'user',
      message: outcome.message,
    };
  }
  const exitCode = outcome.exitCode ?? null;
  return { ...base, status: 'error', exitCode, reason: outcome.reason, message: outcome.message };
}

function describeResult(result: StepResult): string {
  if (result.status === 'success') return 'step succeeded';
  return `step ${result.status}: ${result.message ?? result.reason ?? 'no detail'}`;
}
