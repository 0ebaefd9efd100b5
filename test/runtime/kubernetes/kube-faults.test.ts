import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeKube } from '../../support/fake-kube/index.ts';
import { step } from './fixtures.ts';
import { collectOutput, NAMESPACE, planOf, runSteps, startHarness } from './harness.ts';

const LINES = 40;
/** Prints numbered lines over about a second, so a fault lands mid-step. */
const SCRIPT = `i=1; while [ $i -le ${LINES} ]; do echo "line $i"; i=$((i+1)); sleep 0.03; done`;
const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);

/** Runs the counting step, injecting `fault` once its first line is out; returns the log. */
async function withFault(
  t: import('node:test').TestContext,
  fault: (fake: FakeKube) => void,
  options: { watchIdleMs?: number; watchConnectMs?: number } = {},
) {
  const harness = await startHarness(t, options);
  const planned = step({ script: SCRIPT });
  const session = await harness.runtime.open(
    harness.build('faulty', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const running = session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await harness.fake.waitFor(() => output.lines.length >= 3, 10_000);
  fault(harness.fake);
  const outcome = await running;
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(output.texts('stdout'), expected);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
  return harness;
}

test('a watch dropped mid-build is resumed and the step completes with its full log', async (t) => {
  const harness = await withFault(t, (fake) => fake.faults.dropWatches());
  assert.ok(harness.fake.count({ verb: 'watch', resource: 'pods' }) >= 2);
});

test('a 410 Gone is answered with a re-list and the step completes', async (t) => {
  const harness = await withFault(t, (fake) => {
    fake.faults.expireHistory();
    fake.faults.goneWatches();
  });
  assert.ok(harness.fake.count({ verb: 'list', resource: 'pods' }) >= 1);
});

test('a 410 on resuming (history compacted while disconnected) is answered with a re-list', async (t) => {
  const harness = await withFault(t, (fake) => {
    fake.faults.expireHistory();
    fake.faults.dropWatches();
  });
  const gone = harness.fake.requests.filter((r) => r.verb === 'watch' && r.status === 410);
  assert.ok(gone.length >= 1, 'the resume was answered 410');
  assert.ok(harness.fake.count({ verb: 'list', resource: 'pods' }) >= 1);
});

test('watch requests failing with 500 are retried with backoff until one opens', async (t) => {
  const harness = await withFault(t, (fake) => {
    fake.faults.watchErrors(3);
    fake.faults.dropWatches();
  });
  const failed = harness.fake.requests.filter((r) => r.verb === 'watch' && r.status === 500);
  assert.equal(failed.length, 3);
  assert.ok(harness.fake.count({ verb: 'watch', resource: 'pods' }) >= 5);
});

test('a watch request never answered is abandoned after watchConnectMs and retried, at open and mid-build', async (t) => {
  const harness = await startHarness(t, { watchConnectMs: 300 });
  harness.fake.faults.unansweredWatches(1);
  const [result] = await runSteps(harness, 'unanswered', [step({ script: 'echo hi' })]);
  assert.deepEqual(result?.outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(result?.output.texts('stdout'), ['hi']);
  assert.equal(harness.fake.count({ verb: 'watch', resource: 'pods' }), 2);

  const resumed = await withFault(
    t,
    (fake) => {
      fake.faults.unansweredWatches(1);
      fake.faults.dropWatches();
    },
    { watchConnectMs: 300 },
  );
  assert.ok(resumed.fake.count({ verb: 'watch', resource: 'pods' }) >= 3);
});

test('the build watch is label-scoped and open before the first pod is created', async (t) => {
  const harness = await startHarness(t);
  await runSteps(harness, 'ordered', [step({ name: 'first' }), step({ stage: 'two', name: 'second' })]);
  const { requests } = harness.fake;
  const watches = requests.filter((r) => r.verb === 'watch');
  assert.equal(watches.length, 1);
  const selector = new URL(watches[0]?.path ?? '', 'http://x').searchParams.get('labelSelector');
  assert.equal(selector, 'berth.dev/instance=test,berth.dev/build=ordered');
  assert.equal(watches[0]?.namespace, NAMESPACE);
  const firstCreate = requests.findIndex((r) => r.verb === 'create');
  assert.ok(firstCreate > requests.indexOf(watches[0] as (typeof requests)[number]));
});

test('a stalled watch is reopened and the step completes', async (t) => {
  await withFault(t, (fake) => fake.faults.stallWatches(20_000), { watchIdleMs: 1500 });
});

test('a malformed watch line is skipped', async (t) => {
  await withFault(t, (fake) => fake.faults.malformedLine());
});

test('log stream 500s are retried without losing or repeating a line', async (t) => {
  await withFault(t, (fake) => fake.faults.logErrors(3));
});

test('a log stream cut mid-line by the network resumes with sinceTime, nothing lost or repeated', async (t) => {
  const harness = await startHarness(t, {}, { cutLogs: { cuts: 3, afterBytes: 150 } });
  const planned = step({ script: SCRIPT });
  const session = await harness.runtime.open(
    harness.build('cut-log', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  assert.equal(harness.cutsLeft(), 0, 'every cut happened');
  assert.deepEqual(output.texts('stdout'), expected);
  assert.ok(harness.fake.requests.some((entry) => entry.verb === 'log' && entry.path.includes('sinceTime=')));
});

test('log errors before the first byte are retried too', async (t) => {
  const harness = await startHarness(t);
  harness.fake.faults.logErrors(2);
  const planned = step({ script: 'echo x; exit 0' });
  const session = await harness.runtime.open(
    harness.build('log-500', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(output.texts('stdout'), ['x']);
});

test('exec failures while streaming the source are retried', async (t) => {
  const harness = await startHarness(t);
  harness.fake.faults.execErrors(2);
  const planned = step({ script: 'cat hello.txt' });
  const session = await harness.runtime.open(
    harness.build('exec-err', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(output.texts('stdout'), ['hello from the repo']);
});
