import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { loadKubeConfig, startReaper } from '../../../src/runtime/kubernetes/index.ts';
import { buildPod } from '../../../src/runtime/kubernetes/pod-spec.ts';
import { step } from './fixtures.ts';
import { collectOutput, type Harness, NAMESPACE, planOf, startHarness } from './harness.ts';

/** Starts a one-step build running `script`; `cancel()` stops the step and ends the session. */
async function cancellableStep(harness: Harness, id: string, script: string) {
  const planned = step({ script });
  const session = await harness.runtime.open(
    harness.build(id, planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const controller = new AbortController();
  const running = session.runStep(planned, { output }, controller.signal);
  const cancel = async () => {
    controller.abort();
    const outcome = await running;
    await session.cleanup();
    return outcome;
  };
  return { output, cancel };
}

test('cancelling mid-step stops it and leaves no pod', async (t) => {
  const harness = await startHarness(t);
  const { output, cancel } = await cancellableStep(harness, 'cancel-1', 'echo started; sleep 30; echo never');
  await harness.fake.waitFor(() => output.texts('stdout').includes('started'), 10_000);
  const outcome = await cancel();
  assert.equal(outcome.status, 'cancelled');
  assert.deepEqual(output.texts('stdout'), ['started']);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});

test('a step stopped before the watch showed it start still has what it printed read', async (t) => {
  const harness = await startHarness(t);
  const { output, cancel } = await cancellableStep(
    harness,
    'drain-1',
    'echo printed-early; sleep 30; echo never',
  );
  // Hold the watch back from the moment the source upload (exec) arrives: the init
  // container only ends 50 ms after it, so the runtime never sees the step container start.
  await harness.fake.waitFor(() => harness.fake.count({ verb: 'exec' }) > 0, 10_000);
  const release = harness.fake.faults.stallWatches(20_000);
  t.after(release);
  const stepRunning = () =>
    harness.fake
      .pods(NAMESPACE)
      .some((pod) => pod.status?.containerStatuses?.some((c) => c.state?.running !== undefined));
  await harness.fake.waitFor(stepRunning, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(harness.fake.count({ verb: 'log' }), 0, 'the runtime saw the step start after all');
  const outcome = await cancel();
  assert.equal(outcome.status, 'cancelled');
  assert.deepEqual(output.texts('stdout'), ['printed-early']);
  assert.equal(harness.fake.count({ verb: 'log' }), 1);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});

test('a pod deleted by someone else fails the step as an infrastructure error', async (t) => {
  const harness = await startHarness(t);
  const planned = step({ script: 'echo up; sleep 30' });
  const session = await harness.runtime.open(
    harness.build('deleted-1', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const running = session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await harness.fake.waitFor(() => output.texts('stdout').includes('up'), 10_000);
  const name = harness.fake.pods(NAMESPACE)[0]?.metadata?.name ?? '';
  const response = await fetch(`${harness.fake.url}/api/v1/namespaces/${NAMESPACE}/pods/${name}`, {
    method: 'DELETE',
  });
  assert.equal(response.status, 200);
  const outcome = await running;
  await session.cleanup();
  assert.equal(outcome.status === 'error' && outcome.reason, 'infrastructure');
});

test('the reaper deletes the pods of a build that is no longer running, and only those', async (t) => {
  const harness = await startHarness(t);
  const crashed = step({ name: 'orphan', script: 'sleep 30' });
  const alive = step({ name: 'alive', script: 'sleep 30' });
  const signal = new AbortController();
  t.after(() => signal.abort());
  const crashedSession = await harness.runtime.open(
    harness.build('crashed', planOf([crashed])),
    signal.signal,
  );
  const aliveSession = await harness.runtime.open(harness.build('alive', planOf([alive])), signal.signal);
  const stepsDone = Promise.all([
    crashedSession.runStep(crashed, { output: collectOutput() }, signal.signal),
    aliveSession.runStep(alive, { output: collectOutput() }, signal.signal),
  ]);
  await harness.fake.waitFor(() => harness.fake.pods(NAMESPACE).length === 2, 10_000);
  const kubeConfig = loadKubeConfig(harness.fake.kubeconfigPath);
  assert.ok(kubeConfig);
  const reaperStop = new AbortController();
  const reaper = startReaper({
    kubeConfig,
    namespace: NAMESPACE,
    instance: 'test',
    isBuildRunning: async (id) => id === 'alive',
    intervalMs: 60_000,
    logger: pino({ level: 'silent' }),
    signal: reaperStop.signal,
  });
  await harness.fake.waitFor(() => harness.fake.pods(NAMESPACE).length === 1, 10_000);
  assert.deepEqual(
    harness.fake.pods(NAMESPACE).map((pod) => pod.metadata?.labels?.['berth.dev/build']),
    ['alive'],
  );
  assert.equal(await reaper.sweep(), 0);
  reaperStop.abort();
  signal.abort();
  await stepsDone;
  await Promise.all([crashedSession.cleanup(), aliveSession.cleanup()]);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});

test('the API budget: per step at most create + log + delete + one exec, one watch per build', async (t) => {
  const harness = await startHarness(t);
  const steps = [0, 1, 2, 3].map((i) => step({ stage: 'only', name: `s${i}`, script: `echo ${i}` }));
  const session = await harness.runtime.open(
    harness.build('budget', planOf(steps)),
    AbortSignal.timeout(30_000),
  );
  const outcomes = await Promise.all(
    steps.map((s) => session.runStep(s, { output: collectOutput() }, AbortSignal.timeout(30_000))),
  );
  await session.cleanup();
  assert.ok(outcomes.every((outcome) => outcome.status === 'success'));
  const { fake } = harness;
  assert.equal(fake.count({ verb: 'watch', resource: 'pods' }), 1);
  assert.equal(fake.count({ resource: 'events' }), 0);
  assert.equal(fake.count({ verb: 'create', resource: 'pods' }), 4);
  assert.equal(fake.count({ verb: 'delete', resource: 'pods' }), 4);
  assert.equal(fake.count({ verb: 'exec' }), 4);
  assert.equal(fake.count({ verb: 'log' }), 4);
  assert.equal(fake.count({ verb: 'get' }), 0);
  assert.equal(fake.count({ verb: 'list' }), 0);
  assert.equal(fake.requests.length, 4 * 4 + 1);
});

test('a container that exits at once is captured in full, 200 times out of 200', {
  timeout: 300_000,
}, async (t) => {
  const harness = await startHarness(t);
  const batches = 4;
  const perBatch = 50;
  const failures: string[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const steps = Array.from({ length: perBatch }, (_, i) =>
      step({ stage: `b${batch}`, name: `instant-${i}`, script: 'echo x; exit 0' }),
    );
    const session = await harness.runtime.open(
      harness.build(`instant-${batch}`, planOf(steps)),
      AbortSignal.timeout(60_000),
    );
    await Promise.all(
      steps.map(async (s) => {
        const output = collectOutput();
        const outcome = await session.runStep(s, { output }, AbortSignal.timeout(60_000));
        if (outcome.status !== 'success' || output.texts().join('|') !== 'x') {
          failures.push(`${s.stage}/${s.name}: ${JSON.stringify(outcome)} ${JSON.stringify(output.lines)}`);
        }
      }),
    );
    await session.cleanup();
  }
  assert.deepEqual(failures, [], `${failures.length} of ${batches * perBatch} incomplete`);
});

test('a pod left by an earlier attempt is adopted (409) instead of failing the step', async (t) => {
  const harness = await startHarness(t);
  const planned = step({ name: 'adopt', script: 'cat hello.txt' });
  const pod = buildPod({ id: 'adopt-1', instance: 'test' }, planned, {
    helperImage: 'busybox:1.37',
    resources: null,
    nodeSelector: null,
    tolerations: null,
    imagePullSecrets: [],
    activeDeadlineSeconds: 600,
  });
  const created = await fetch(`${harness.fake.url}/api/v1/namespaces/${NAMESPACE}/pods`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pod),
  });
  assert.equal(created.status, 201);
  const session = await harness.runtime.open(
    harness.build('adopt-1', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(output.texts('stdout'), ['hello from the repo']);
  assert.equal(harness.fake.requests.filter((e) => e.verb === 'create' && e.status === 409).length, 1);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});

test('past the log cap a visible marker is written and the step still completes', async (t) => {
  const harness = await startHarness(t, { logCapBytes: 100 });
  const planned = step({ script: 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done' });
  const session = await harness.runtime.open(
    harness.build('cap-1', planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  const output = collectOutput();
  const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(30_000));
  await session.cleanup();
  assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
  const stdout = output.texts('stdout');
  assert.ok(stdout.join('\n').length <= 100);
  assert.deepEqual(stdout.slice(0, 2), ['line 0', 'line 1']);
  assert.deepEqual(output.texts('system'), ['[berth] log truncated: the step wrote more than 100 bytes']);
});
