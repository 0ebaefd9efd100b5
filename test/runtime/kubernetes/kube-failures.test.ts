import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulingTimeoutError, stopOutcome } from '../../../src/stop-reasons.ts';
import { step } from './fixtures.ts';
import { NAMESPACE, runSteps, startHarness } from './harness.ts';

/** Runs one step with `image` and returns its outcome and log. */
async function runImage(
  t: import('node:test').TestContext,
  image: string,
  extra: Parameters<typeof step>[0] = {},
) {
  const harness = await startHarness(t);
  const [result] = await runSteps(harness, `fail-${image.replace(/\W+/g, '-')}`, [step({ image, ...extra })]);
  assert.ok(result);
  assert.deepEqual(harness.fake.pods(NAMESPACE), [], 'no pod is left behind');
  return { ...result, harness };
}

test('a missing image fails as an image error with the kubelet message', async (t) => {
  const { outcome } = await runImage(t, 'registry.example/team/does-not-exist:1');
  assert.equal(outcome.status, 'error');
  assert.equal(outcome.status === 'error' && outcome.reason, 'image');
  assert.match(
    outcome.status === 'error' ? outcome.message : '',
    /^(ErrImagePull|ImagePullBackOff): .*does-not-exist/,
  );
});

test('an unschedulable pod is shown at once and fails after the scheduling timeout', async (t) => {
  const { outcome, output } = await runImage(t, 'berth.test/unschedulable');
  // The runtime stops the step with a stop reason; the one mapping makes it an error.
  assert.ok(outcome.status === 'stopped' && outcome.stop instanceof SchedulingTimeoutError);
  const ended = stopOutcome(outcome.stop);
  assert.equal(ended.status, 'error');
  assert.equal(ended.reason, 'scheduling');
  assert.match(ended.message, /^Unschedulable: 0\/1 nodes are available/);
  assert.match(output.texts('system')[0] ?? '', /^Unschedulable: 0\/1 nodes are available/);
  assert.ok(output.texts('system').some((line) => line.startsWith('Warning FailedScheduling: ')));
});

test('OOMKilled is reported with its reason and exit code', async (t) => {
  const { outcome } = await runImage(t, 'berth.test/oom');
  assert.equal(outcome.status, 'error');
  assert.equal(outcome.status === 'error' && outcome.reason, 'user');
  assert.equal(outcome.status === 'error' && outcome.exitCode, 137);
  assert.match(outcome.status === 'error' ? outcome.message : '', /^OOMKilled/);
});

test('an evicted pod is an infrastructure error with the eviction message', async (t) => {
  const { outcome } = await runImage(t, 'berth.test/evicted');
  assert.equal(outcome.status === 'error' && outcome.reason, 'infrastructure');
  assert.match(
    outcome.status === 'error' ? outcome.message : '',
    /^Evicted: The node was low on resource: memory/,
  );
});

test('a disrupted pod is an infrastructure error', async (t) => {
  const { outcome } = await runImage(t, 'berth.test/disruption');
  assert.equal(outcome.status === 'error' && outcome.reason, 'infrastructure');
});

test('container creation errors are config errors with the runtime message', async (t) => {
  const { outcome } = await runImage(t, 'berth.test/create-error');
  assert.equal(outcome.status === 'error' && outcome.reason, 'config');
  assert.match(
    outcome.status === 'error' ? outcome.message : '',
    /^CreateContainerError: failed to generate container/,
  );
});

test('a missing secret is a config error naming the secret', async (t) => {
  const { outcome } = await runImage(t, 'alpine:3', {
    secretEnv: [{ name: 'TOKEN', secretName: 'api-token', key: 'token' }],
  });
  assert.equal(outcome.status === 'error' && outcome.reason, 'config');
  assert.match(outcome.status === 'error' ? outcome.message : '', /^CreateContainerConfigError: .*api-token/);
});

test('an existing secret reaches the step by reference', async (t) => {
  const harness = await startHarness(t);
  harness.fake.secrets.put(NAMESPACE, 'api-token', { token: 's3cret' });
  const [result] = await runSteps(harness, 'secret-ok', [
    step({
      script: 'printf %s "$TOKEN" | wc -c | tr -d " "',
      secretEnv: [{ name: 'TOKEN', secretName: 'api-token', key: 'token' }],
    }),
  ]);
  assert.deepEqual(result?.outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(result?.output.texts('stdout'), ['6']);
});

test('a phase that says Succeeded before the exit code is filled in does not end the step early', async (t) => {
  const { outcome, output } = await runImage(t, 'berth.test/succeeded-early', {
    script: 'echo one; echo two; exit 4',
  });
  assert.deepEqual(outcome, { status: 'failed', exitCode: 4, message: 'exit code 4' });
  assert.deepEqual(output.texts('stdout'), ['one', 'two']);
});

test('a crash-looping container fails as the user command', async (t) => {
  const { outcome } = await runImage(t, 'berth.test/crashloop', { script: 'exit 1' });
  assert.notEqual(outcome.status, 'success');
  assert.equal(outcome.status === 'error' ? outcome.reason : 'user', 'user');
});
