import { BerthError } from '../errors.ts';
import type { Redactor } from '../logs/redact.ts';
import { createStepOutput } from '../logs/step-output.ts';
import type { LogSink, StepOutput } from '../logs/types.ts';
import type { PlannedStep } from '../pipeline/types.ts';
import type { RuntimeSession, StepOutcome } from '../runtime/types.ts';
import { CancelledError, StepTimeoutError, StopError, stopOutcome } from '../stop-reasons.ts';
import type { ReusedSteps } from './reuse.ts';
import { deadline, formatDuration } from './stop.ts';
import type { BuildEvent, StepResult } from './types.ts';

/** What every step of one build shares. */
export interface StepContext {
  session: RuntimeSession;
  sink: LogSink;
  secrets: string[];
  /** Masks `secrets`: a step's message can carry what its container printed. */
  redactor: Redactor;
  capBytes: number;
  stepMs: number;
  /** Extra runs of a step after a retryable infrastructure failure. */
  infraRetries: number;
  /** Steps a rerun does not run (they succeeded earlier at the same sha). */
  reused?: ReusedSteps;
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
  let outcome: StepOutcome;
  let stopped: StopError | null;
  for (let attempt = 0; ; attempt++) {
    ({ outcome, stopped } = await attemptStep(step, stageSignal, ctx, output));
    if (stopped || stageSignal.aborted || attempt >= ctx.infraRetries || !retryable(outcome)) break;
    const why = outcome.status === 'error' ? ctx.redactor.redact(outcome.message) : outcome.status;
    const next = `${attempt + 2} of ${ctx.infraRetries + 1}`;
    output.line('system', `[berth] infrastructure failure, running the step again (attempt ${next}): ${why}`);
  }
  const raw = toResult(step, outcome, stopped, startedAt, ctx.now().toISOString());
  const result = raw.message === null ? raw : { ...raw, message: ctx.redactor.redact(raw.message) };
  output.line('system', describeResult(result));
  output.end();
  ctx.emit({ type: 'step-finished', result });
  return result;
}

/** One run of the step on the runtime, under its own step timeout. */
async function attemptStep(
  step: PlannedStep,
  stageSignal: AbortSignal,
  ctx: StepContext,
  output: StepOutput,
): Promise<{ outcome: StepOutcome; stopped: StopError | null }> {
  const limit = deadline(stageSignal, {
    ms: ctx.stepMs,
    error: () => new StepTimeoutError(`step timed out after ${formatDuration(ctx.stepMs)}`),
  });
  try {
    return { outcome: await ctx.session.runStep(step, { output }, limit.signal), stopped: limit.cause() };
  } catch (error) {
    return { outcome: thrownOutcome(error), stopped: limit.cause() };
  } finally {
    limit.dispose();
  }
}

/**
 * Whether the runtime says running the step again may succeed: an infrastructure
 * failure (evicted, deleted by someone else, node lost, engine gone) unless it says
 * otherwise, or an error it marks retryable (an image pull that timed out). An exit
 * code, a timeout, a cancel or a missing image never is.
 */
function retryable(outcome: StepOutcome): boolean {
  if (outcome.status !== 'error') return false;
  return outcome.reason === 'infrastructure' ? outcome.retryable !== false : outcome.retryable === true;
}

/** A step that never ran. */
export function skippedStep(step: PlannedStep): StepResult {
  const base = { stage: step.stage, name: step.name, exitCode: null, reason: null, message: null };
  return { ...base, status: 'skipped', startedAt: null, finishedAt: null };
}

function toResult(
  step: PlannedStep,
  outcome: StepOutcome,
  stopped: StopError | null,
  startedAt: string,
  finishedAt: string,
): StepResult {
  const base = { stage: step.stage, name: step.name, startedAt, finishedAt };
  if (outcome.status === 'success')
    return { ...base, status: 'success', exitCode: 0, reason: null, message: null };
  // Stopped through its signal (the engine knows why) or by the runtime itself (it says why).
  const stop = (cause: StopError): StepResult => ({ ...base, exitCode: null, ...stopOutcome(cause) });
  if (stopped) return stop(stopped);
  switch (outcome.status) {
    case 'cancelled':
      return stop(new CancelledError(outcome.message));
    case 'stopped':
      return stop(outcome.stop);
    case 'failed':
      return {
        ...base,
        status: 'failed',
        exitCode: outcome.exitCode,
        reason: 'user',
        message: outcome.message,
      };
    case 'error':
      return {
        ...base,
        status: 'error',
        exitCode: outcome.exitCode ?? null,
        reason: outcome.reason,
        message: outcome.message,
      };
  }
}

/** A runtime that threw: a stop reason keeps its meaning, anything else is an error. */
function thrownOutcome(error: unknown): StepOutcome {
  if (error instanceof StopError) return { status: 'stopped', stop: error };
  const reason = error instanceof BerthError ? error.reason : 'infrastructure';
  return { status: 'error', reason, message: (error as Error)?.message ?? String(error) };
}

function describeResult(result: StepResult): string {
  if (result.status === 'success') return 'step succeeded';
  return `step ${result.status}: ${result.message ?? result.reason ?? 'no detail'}`;
}
