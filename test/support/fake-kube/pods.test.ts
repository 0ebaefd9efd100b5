import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, type CoreV1Api } from '@kubernetes/client-node';
import { clientFor, shellPod, terminatedOf, waitForPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

describe('fake kube: pods CRUD through the real client', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  before(async () => {
    fake = await startFakeKube({ namespaces: ['default', 'other'] });
    api = clientFor(fake).api;
  });
  after(() => fake.close());

  it('creates a pod with uid, resourceVersion, creationTimestamp and phase Pending', async () => {
    const pod = await api.createNamespacedPod({ namespace: 'default', body: shellPod('create-me', 'true') });
    assert.match(pod.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(Number(pod.metadata?.resourceVersion) > 0);
    assert.ok(pod.metadata?.creationTimestamp instanceof Date);
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(fake.count({ verb: 'create', resource: 'pods' }), 1);
    const again = await api.readNamespacedPod({ namespace: 'default', name: 'create-me' });
    assert.equal(again.metadata?.uid, pod.metadata?.uid);
  });

  it('answers a taken name with 409 AlreadyExists as a v1.Status', async () => {
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('taken', 'true') });
    const error = await api
      .createNamespacedPod({ namespace: 'default', body: shellPod('taken', 'true') })
      .catch((e) => e);
    assert.ok(error instanceof ApiException);
    assert.equal(error.code, 409);
    const status = JSON.parse(String(error.body));
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'AlreadyExists');
    assert.equal(status.message, 'pods "taken" already exists');
  });

  it('rejects an invalid pod with 422 naming the field, and an unknown namespace with 404', async () => {
    const body = { metadata: { name: 'no-image' }, spec: { containers: [{ name: 'main' }] } };
    const invalid = await api.createNamespacedPod({ namespace: 'default', body }).catch((e) => e);
    assert.equal(invalid.code, 422);
    assert.match(JSON.parse(String(invalid.body)).message, /spec\.containers\[0\]\.image: Required value/);
    const missing = await api
      .createNamespacedPod({ namespace: 'nope', body: shellPod('x', 'true') })
      .catch((e) => e);
    assert.equal(missing.code, 404);
    assert.equal(JSON.parse(String(missing.body)).message, 'namespaces "nope" not found');
  });

  it('lists with label selectors (=, !=, in, exists) and field selectors', async () => {
    for (const [name, tier] of [
      ['sel-a', 'web'],
      ['sel-b', 'db'],
    ] as const) {
      const body = shellPod(name, 'true');
      body.metadata = { name, labels: { suite: 'sel', tier } };
      await api.createNamespacedPod({ namespace: 'other', body });
    }
    const names = async (labelSelector?: string, fieldSelector?: string) => {
      const list = await api.listNamespacedPod({
        namespace: 'other',
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      });
      return list.items.map((pod) => pod.metadata?.name).sort();
    };
    assert.deepEqual(await names('suite=sel,tier=web'), ['sel-a']);
    assert.deepEqual(await names('suite=sel,tier!=web'), ['sel-b']);
    assert.deepEqual(await names('tier in (db, cache)'), ['sel-b']);
    assert.deepEqual(await names('tier'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('!tier'), []);
    assert.deepEqual(await names(undefined, 'metadata.name=sel-b'), ['sel-b']);
    const bad = await api
      .listNamespacedPod({ namespace: 'other', fieldSelector: 'spec.bogus=1' })
      .catch((e) => e);
    assert.equal(bad.code, 400);
  });

  it('deletes gracefully (deletionTimestamp, SIGTERM, then gone) and answers 404 afterwards', async () => {
    const script = "trap 'echo bye; exit 0' TERM; echo up; while true; do sleep 0.05; done";
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('graceful', script) });
    await waitForPod(
      fake,
      'graceful',
      (pod) => pod.status?.containerStatuses?.[0]?.state?.running !== undefined,
    );
    const deleting = await api.deleteNamespacedPod({ namespace: 'default', name: 'graceful' });
    assert.ok(deleting.metadata?.deletionTimestamp instanceof Date);
    assert.equal(deleting.metadata?.deletionGracePeriodSeconds, 30);
    await fake.waitFor(() => !fake.pods().some((pod) => pod.metadata?.name === 'graceful'));
    const gone = await api.readNamespacedPod({ namespace: 'default', name: 'graceful' }).catch((e) => e);
    assert.equal(gone.code, 404);
    const again = await api.deleteNamespacedPod({ namespace: 'default', name: 'graceful' }).catch((e) => e);
    assert.equal(again.code, 404);
  });

  it('runs the command as a local process: exit code and reason in the terminated state', async () => {
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('exit-3', 'exit 3') });
    const pod = await waitForPod(fake, 'exit-3', (candidate) => candidate.status?.phase === 'Failed');
    assert.equal(terminatedOf(pod)?.exitCode, 3);
    assert.equal(terminatedOf(pod)?.reason, 'Error');
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('exit-0', 'exit 0') });
    const ok = await waitForPod(fake, 'exit-0', (candidate) => candidate.status?.phase === 'Succeeded');
    assert.equal(terminatedOf(ok)?.reason, 'Completed');
    assert.ok(terminatedOf(ok)?.finishedAt instanceof Date);
  });

  it('patches labels (JSON patch) but refuses changes to an immutable pod spec', async () => {
    const created = await api.createNamespacedPod({
      namespace: 'default',
      body: shellPod('patched', 'sleep 5'),
    });
    const patched = await api.patchNamespacedPod({
      namespace: 'default',
      name: 'patched',
      body: [{ op: 'add', path: '/metadata/labels/berth.dev~1reaped', value: 'true' }],
    });
    assert.equal(patched.metadata?.labels?.['berth.dev/reaped'], 'true');
    assert.ok(Number(patched.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));
    const refused = await api
      .patchNamespacedPod({
        namespace: 'default',
        name: 'patched',
        body: [{ op: 'replace', path: '/spec/restartPolicy', value: 'Always' }],
      })
      .catch((error) => error);
    assert.equal(refused.code, 422);
    await api.deleteNamespacedPod({ namespace: 'default', name: 'patched', gracePeriodSeconds: 0 });
  });
});
