import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiVerb } from '../../../src/runtime/kubernetes/index.ts';
import { step } from './fixtures.ts';
import { NAMESPACE, runSteps, startHarness } from './harness.ts';

const tokenStep = step({
  script: 'echo "token=$TOKEN"; echo "key=$KEY"',
  secretEnv: [{ name: 'TOKEN', secretName: 'api-token', key: 'token' }],
  envFromSecrets: ['deploy-keys'],
});

test('with redactReferencedSecrets, referenced secret values are masked in the step log', async (t) => {
  const harness = await startHarness(t, { redactReferencedSecrets: true });
  harness.fake.secrets.put(NAMESPACE, 'api-token', { token: 's3cret-value', unused: 'not-referenced' });
  harness.fake.secrets.put(NAMESPACE, 'deploy-keys', { KEY: 'k3y-material' });
  const [result] = await runSteps(harness, 'redact-on', [tokenStep]);
  assert.deepEqual(result?.outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(result?.output.texts('stdout'), ['token=***', 'key=***']);
  const reads = harness.fake.requests.filter((r) => r.resource === 'secrets');
  assert.deepEqual(reads.map((r) => [r.verb, r.name]).sort(), [
    ['get', 'api-token'],
    ['get', 'deploy-keys'],
  ]);
});

test('without redactReferencedSecrets, no secret is read (pods only reference them)', async (t) => {
  const harness = await startHarness(t);
  harness.fake.secrets.put(NAMESPACE, 'api-token', { token: 's3cret-value' });
  harness.fake.secrets.put(NAMESPACE, 'deploy-keys', { KEY: 'k3y-material' });
  const [result] = await runSteps(harness, 'redact-off', [tokenStep]);
  assert.deepEqual(result?.output.texts('stdout'), ['token=s3cret-value', 'key=k3y-material']);
  assert.equal(harness.fake.count({ resource: 'secrets' }), 0);
});

test('a referenced secret that does not exist is not a redaction error: the step fails on it', async (t) => {
  const harness = await startHarness(t, { redactReferencedSecrets: true });
  harness.fake.secrets.put(NAMESPACE, 'deploy-keys', { KEY: 'k3y-material' });
  const [result] = await runSteps(harness, 'redact-missing', [tokenStep]);
  assert.equal(result?.outcome.status === 'error' && result.outcome.reason, 'config');
  assert.match(result?.outcome.status === 'error' ? result.outcome.message : '', /api-token/);
});

test('onApiRequest is called once per request the API server saw, by verb', async (t) => {
  const counts = new Map<ApiVerb, number>();
  const harness = await startHarness(t, {
    onApiRequest: (verb) => counts.set(verb, (counts.get(verb) ?? 0) + 1),
  });
  const steps = [
    step({ stage: 'a', name: 'one', script: 'echo one' }),
    step({ stage: 'a', name: 'two', script: 'echo two; exit 1' }),
  ];
  harness.fake.faults.logErrors(1);
  const results = await runSteps(harness, 'counted', steps);
  assert.deepEqual(
    results.map((r) => r.outcome.status),
    ['success', 'failed'],
  );
  const served = new Map<string, number>();
  for (const entry of harness.fake.requests) served.set(entry.verb, (served.get(entry.verb) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...counts].sort()), Object.fromEntries([...served].sort()));
  assert.equal(counts.get('log'), 3, 'the injected log 500 is counted too');
});

test('a throwing onApiRequest does not disturb the build', async (t) => {
  const harness = await startHarness(t, {
    onApiRequest: () => {
      throw new Error('metrics are down');
    },
  });
  const [result] = await runSteps(harness, 'counter-throws', [step({ script: 'echo fine' })]);
  assert.deepEqual(result?.outcome, { status: 'success', exitCode: 0 });
  assert.deepEqual(result?.output.texts('stdout'), ['fine']);
});
