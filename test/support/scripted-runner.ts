import { setTimeout as sleep } from 'node:timers/promises';
import type { BuildRunner } from '../../src/queue/build-runner.ts';
import { CancelledError } from '../../src/stop-reasons.ts';
import { plan, stage as shellStage } from './plan.ts';

/**
 * A build runner for queue tests, driven by the request's inputs: one stage `build`
 * with one step `main` that writes `lines` lines, waits `sleepMs` (honouring the
 * signal) and exits with `exit`.
 */
export const scriptedRunner: BuildRunner = async ({
  request,
  sink,
  signal,
  onPlan,
  onEvent,
  onSource,
  admit,
}) => {
  const at = () => new Date().toISOString();
  const startedAt = at();
  onSource(request.sha ?? '0'.repeat(40));
  onPlan(plan([shellStage('build', { main: 'true' })]));
  // As plan-and-run does once the plan is known: wait for a slot when the worker accounts them.
  await admit?.(undefined);
  onEvent({ type: 'stage-started', stage: 'build', index: 0, total: 1, at: at() });
  onEvent({ type: 'step-started', stage: 'build', step: 'main', at: at() });
  const lines = Number(request.inputs.lines ?? 3);
  for (let i = 0; i < lines; i++)
    sink.append({ stage: 'build', step: 'main', stream: 'stdout', time: Date.now(), text: `line ${i}` });
  let cancelled = false;
  try {
    await sleep(Number(request.inputs.sleepMs ?? 0), undefined, { signal });
  } catch {
    cancelled = true;
  }
  await sink.flush();
  if (cancelled) {
    const stopped = {
      stage: 'build',
      name: 'main',
      status: 'cancelled' as const,
      exitCode: null,
      reason: 'cancelled' as const,
      message: null,
      startedAt,
      finishedAt: at(),
    };
    onEvent({ type: 'step-finished', result: stopped });
    throw new CancelledError();
  }
  const exit = Number(request.inputs.exit ?? 0);
  const step = {
    stage: 'build',
    name: 'main',
    status: exit === 0 ? ('success' as const) : ('failed' as const),
    exitCode: exit,
    reason: exit === 0 ? null : ('user' as const),
    message: null,
    startedAt,
    finishedAt: at(),
  };
  onEvent({ type: 'step-finished', result: step });
  const stage = { name: 'build', status: step.status, startedAt, finishedAt: at(), steps: [step] };
  return {
    status: step.status,
    reason: step.reason,
    message: null,
    startedAt,
    finishedAt: at(),
    stages: [stage],
  };
};
