import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBuild } from '../../../src/engine/index.ts';
import type { LogEntry } from '../../../src/logs/types.ts';
import type { PlannedStep } from '../../../src/pipeline/types.ts';
import { step } from './fixtures.ts';
import { type Harness, NAMESPACE, planOf, startHarness } from './harness.ts';

/** Runs one step through the engine on the Kubernetes runtime; returns its result and log. */
async function runOne(
  harness: Harness,
  id: string,
  planned: PlannedStep,
  infraRetries?: number,
  stepMs = 30_000,
) {
  const entries: LogEntry[] = [];
  const before = harness.fake.count({ verb: 'create', resource: 'pods' });
  const result = await runBuild({
    runtime: harness.runtime,
    build: harness.build(id, planOf([planned])),
    sink: { append: (entry) => entries.push(entry), flush: async () => {} },
    signal: AbortSignal.timeout(60_000),
    timeouts: { stepMs, buildMs: 60_000, cleanupMs: 10_000 },
    logCapBytes: 1024 * 1024,
    ...(infraRetries !== undefined ? { infraRetries } : {}),
  });
  await harness.fake.waitFor(() => harness.fake.pods(NAMESPACE).length === 0);
  const podsCreated = harness.fake.count({ verb: 'create', resource: 'pods' }) - before;
  return { step: result.stages[0]?.steps[0], status: result.status, entries, podsCreated };
}

test('an evicted pod retries once: a new pod runs the step and the log says why', async (t) => {
  const harness = await startHarness(t);
  const run = await runOne(
    harness,
    'infra-1',
    step({ image: 'berth.test/evicted-once', script: 'echo ran after the eviction' }),
  );
  assert.equal(run.status, 'success');
  assert.equal(run.step?.status, 'success');
  assert.equal(run.podsCreated, 2);
  const system = run.entries.filter((e) => e.stream === 'system').map((e) => e.text);
  assert.ok(
    system.some((text) =>
      /^\[berth\] infrastructure failure, running the step again \(attempt 2 of 2\): Evicted: The node was low on resource/.test(
        text,
      ),
    ),
    system.join('\n'),
  );
  const out = run.entries.filter((e) => e.stream === 'stdout').map((e) => e.text);
  assert.deepEqual(out, ['ran after the eviction']);
});

test('with BERTH_INFRA_RETRIES=0 an evicted pod is an infrastructure error at once', async (t) => {
  const harness = await startHarness(t);
  const run = await runOne(harness, 'infra-2', step({ image: 'berth.test/evicted-once', script: 'true' }), 0);
  assert.equal(run.step?.status, 'error');
  assert.equal(run.step?.reason, 'infrastructure');
  assert.equal(run.podsCreated, 1);
});

test('a pod evicted every time gives up after the retries', async (t) => {
  const harness = await startHarness(t);
  const run = await runOne(harness, 'infra-3', step({ image: 'berth.test/evicted', script: 'true' }), 2);
  assert.equal(run.step?.status, 'error');
  assert.equal(run.step?.reason, 'infrastructure');
  assert.equal(run.podsCreated, 3);
});

test('an exit code, a missing image and a timeout never retry', async (t) => {
  const harness = await startHarness(t);
  const failed = await runOne(harness, 'infra-4', step({ script: 'exit 3' }), 3);
  assert.equal(failed.step?.status, 'failed');
  assert.equal(failed.step?.exitCode, 3);
  assert.equal(failed.podsCreated, 1);
  const missing = await runOne(
    harness,
    'infra-5',
    step({ image: 'registry.example/team/does-not-exist:1', script: 'true' }),
    3,
  );
  assert.equal(missing.step?.reason, 'image');
  assert.equal(missing.podsCreated, 1);
  assert.ok(!missing.entries.some((e) => e.text.includes('running the step again')));
  const slow = await runOne(harness, 'infra-6', step({ script: 'sleep 20' }), 3, 1500);
  assert.equal(slow.step?.reason, 'timeout');
  assert.equal(slow.podsCreated, 1);
});
