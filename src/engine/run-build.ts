import type { Logger } from 'pino';
import { BerthError } from '../errors.ts';
import { createRedactor, type Redactor } from '../logs/redact.ts';
import type { LogSink } from '../logs/types.ts';
import type { PlannedStage } from '../pipeline/types.ts';
import type { BuildContext, Runtime, RuntimeSession } from '../runtime/types.ts';
import { BuildTimeoutError } from '../stop-reasons.ts';
import type { ReasonClass } from '../vocab/index.ts';
import type { ReusedSteps } from './reuse.ts';
import { runStage, shouldRun, skippedStage } from './stage.ts';
import type { StepContext } from './step.ts';
import { deadline, formatDuration } from './stop.ts';
import { summarise } from './summarise.ts';
import type { BuildEvent, BuildResult, StageResult, Timeouts } from './types.ts';

/** Everything one build needs: the plan is `build.plan`. */
export interface RunBuildOptions {
  runtime: Runtime;
  build: BuildContext;
  sink: LogSink;
  /** Aborting it cancels the build: running steps are stopped, the rest skipped. */
  signal: AbortSignal;
  timeouts: Timeouts;
  /** Per-step log cap in bytes. */
  logCapBytes: number;
  /** Extra runs of a step whose runtime outcome is a retryable infrastructure failure (default 1). */
  infraRetries?: number;
  /** A `/retest`: steps not run again, each with the build that ran it successfully. */
  reused?: ReusedSteps;
  onEvent?: (event: BuildEvent) => void;
  now?: () => Date;
  /** Notes failures that do not change the result (cleanup, event handlers). */
  logger?: Logger;
}

/** Runs a build plan to its BuildResult. Never throws for step or runtime failures. */
export async function runBuild(options: RunBuildOptions): Promise<BuildResult> {
  const now = options.now ?? (() => new Date());
  const emit = (event: BuildEvent) => {
    try {
      options.onEvent?.(event);
    } catch (err) {
      options.logger?.warn({ err, type: event.type }, 'build event handler failed');
    }
  };
  const startedAt = now().toISOString();
  emit({ type: 'build-started', at: startedAt });
  const buildMs = options.timeouts.buildMs;
  const limit = deadline(options.signal, {
    ms: buildMs,
    error: () => new BuildTimeoutError(`build timed out after ${formatDuration(buildMs)}`),
  });
  const redactor = createRedactor(options.build.plan.secrets);
  const opened = await openSession(options, limit.signal, redactor);
  const stages: StageResult[] = [];
  if ('session' in opened) {
    const ctx: StepContext = {
      session: opened.session,
      sink: options.sink,
      secrets: options.build.plan.secrets,
      redactor,
      capBytes: options.logCapBytes,
      stepMs: options.timeouts.stepMs,
      infraRetries: options.infraRetries ?? 1,
      ...(options.reused ? { reused: options.reused } : {}),
      now,
      emit,
    };
    stages.push(...(await runStages(options, limit.signal, ctx)));
    await cleanup(opened.session, options);
  } else {
    stages.push(...options.build.plan.stages.map((stage) => skipStage(stage, emit)));
  }
  limit.dispose();
  await flush(options);
  const failure = 'session' in opened ? null : opened;
  const result = summarise(stages, {
    startedAt,
    finishedAt: now().toISOString(),
    stopped: limit.cause(),
    failure,
  });
  emit({ type: 'build-finished', result });
  return result;
}

async function runStages(options: RunBuildOptions, signal: AbortSignal, ctx: StepContext) {
  const stages: StageResult[] = [];
  const plan = options.build.plan;
  let failedBefore = false;
  for (const [index, stage] of plan.stages.entries()) {
    if (signal.aborted || !shouldRun(stage.runsIf, failedBefore)) {
      stages.push(skipStage(stage, ctx.emit));
      continue;
    }
    const at = ctx.now().toISOString();
    ctx.emit({ type: 'stage-started', stage: stage.name, index, total: plan.stages.length, at });
    const result = await runStage(stage, signal, ctx);
    ctx.emit({ type: 'stage-finished', result });
    stages.push(result);
    if (result.status !== 'success') failedBefore = true;
  }
  return stages;
}

/** A stage that does not run, announced as finished (skipped) with its steps. */
function skipStage(stage: PlannedStage, emit: (event: BuildEvent) => void): StageResult {
  const result = skippedStage(stage);
  for (const step of result.steps) emit({ type: 'step-finished', result: step });
  emit({ type: 'stage-finished', result });
  return result;
}

type Opened = { session: RuntimeSession } | { reason: ReasonClass; message: string };

async function openSession(
  options: RunBuildOptions,
  signal: AbortSignal,
  redactor: Redactor,
): Promise<Opened> {
  try {
    return { session: await options.runtime.open(options.build, signal) };
  } catch (error) {
    const reason = error instanceof BerthError ? error.reason : 'infrastructure';
    const detail = redactor.redact(String((error as Error)?.message ?? error));
    return { reason, message: `runtime could not start the build: ${detail}` };
  }
}

/** session.cleanup() on its own budget, whatever happened to the build. */
async function cleanup(session: RuntimeSession, options: RunBuildOptions) {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeouts.cleanupMs);
  });
  try {
    const outcome = await Promise.race([session.cleanup().then(() => 'done' as const), budget]);
    if (outcome === 'timeout')
      options.logger?.warn({ id: options.build.id }, 'runtime cleanup ran out of time');
  } catch (err) {
    options.logger?.warn({ err, id: options.build.id }, 'runtime cleanup failed');
  } finally {
    clearTimeout(timer);
  }
}

async function flush(options: RunBuildOptions) {
  try {
    await options.sink.flush();
  } catch (err) {
    options.logger?.warn({ err, id: options.build.id }, 'log sink flush failed');
  }
}
