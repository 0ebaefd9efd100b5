import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RunBuildOptions, runBuild } from '../../../src/engine/index.ts';
import type { BuildPlan } from '../../../src/pipeline/types.ts';
import { runLocal } from '../../support/engine.ts';
import { memorySink } from '../../support/memory-sink.ts';
import { step } from './fixtures.ts';
import { collectOutput, type Harness, NAMESPACE, planOf, startHarness } from './harness.ts';

/** Runs `plan` through the engine on the Kubernetes runtime of `harness`. */
async function runOnKube(
  harness: Harness,
  id: string,
  plan: BuildPlan,
  timeouts: RunBuildOptions['timeouts'],
) {
  return runBuild({
    runtime: harness.runtime,
    build: harness.build(id, plan),
    sink: memorySink(),
    signal: AbortSignal.timeout(60_000),
    timeouts,
    logCapBytes: 1024 * 1024,
  });
}

/** What a user sees of a step or build: its status, reason class and message. */
const seen = (r: { status: string; reason: string | null; message: string | null } | undefined) =>
  r && { status: r.status, reason: r.reason, message: r.message };

test('a step timeout on Kubernetes reports what the local runtime reports, and removes the pod', async (t) => {
  const harness = await startHarness(t);
  const plan = planOf([step({ stage: 'test', name: 'hang', script: 'sleep 30' })]);
  const timeouts = { stepMs: 1500, buildMs: 60_000, cleanupMs: 5000 };
  const [kube, local] = await Promise.all([
    runOnKube(harness, 'step-timeout', plan, timeouts),
    runLocal(plan, { timeouts }).then((run) => run.result),
  ]);
  const expected = { status: 'failed', reason: 'timeout', message: 'step timed out after 1.5s' };
  assert.deepEqual(seen(local.stages[0]?.steps[0]), expected);
  assert.deepEqual(seen(kube.stages[0]?.steps[0]), expected);
  assert.deepEqual(seen(kube), seen(local));
  assert.deepEqual(seen(kube), { ...expected, message: 'test/hang: step timed out after 1.5s' });
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});

test('the build timeout ends a running step on Kubernetes as the local runtime does', async (t) => {
  const harness = await startHarness(t);
  const plan = planOf(
    [step({ stage: 'test', name: 'hang', script: 'sleep 30' })],
    [step({ stage: 'ship', name: 'never', script: 'true' })],
  );
  const timeouts = { stepMs: 60_000, buildMs: 1500, cleanupMs: 5000 };
  const [kube, local] = await Promise.all([
    runOnKube(harness, 'build-timeout', plan, timeouts),
    runLocal(plan, { timeouts }).then((run) => run.result),
  ]);
  const expected = { status: 'failed', reason: 'timeout', message: 'build timed out after 1.5s' };
  assert.deepEqual(seen(kube), expected);
  assert.deepEqual(seen(local), expected);
  assert.deepEqual(seen(kube.stages[0]?.steps[0]), seen(local.stages[0]?.steps[0]));
  assert.equal(kube.stages[0]?.steps[0]?.reason, 'timeout');
  assert.equal(kube.stages[1]?.status, 'skipped');
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});

test('the session arms no step timeout of its own: only the signal it is given stops a step', async (t) => {
  // The runtime's own stepMs only sizes the pods' activeDeadlineSeconds (a dead worker's safety net).
  const harness = await startHarness(t, {
    timeouts: { schedulingMs: 2000, stepMs: 300, buildMs: 300, cleanupMs: 5000 },
  });
  const planned = step({ script: 'sleep 1.5; echo done' });
  const session = await harness.runtime.open(
    harness.build('no-own-timeout', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(output.texts('stdout'), ['done']);
});

test('a pod that cannot be scheduled in time ends its step and build as a scheduling error', async (t) => {
  const harness = await startHarness(t);
  const plan = planOf([step({ stage: 'test', name: 'nowhere', image: 'berth.test/unschedulable' })]);
  const result = await runOnKube(harness, 'unschedulable', plan, {
    stepMs: 30_000,
    buildMs: 60_000,
    cleanupMs: 5000,
  });
  const nowhere = result.stages[0]?.steps[0];
  assert.equal(nowhere?.status, 'error');
  assert.equal(nowhere?.reason, 'scheduling');
  assert.match(nowhere?.message ?? '', /^Unschedulable: 0\/1 nodes are available/);
  assert.equal(result.status, 'error');
  assert.equal(result.reason, 'scheduling');
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});
