import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CoreV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import { processesWith, uniqueMarker } from '../processes.ts';
import { clientFor, shellPod, waitForPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

describe('fake kube: watch faults, event watches and shutdown', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  let config: KubeConfig;
  before(async () => {
    fake = await startFakeKube();
    ({ api, config } = clientFor(fake));
  });
  after(() => fake.close());

  it('stalls open watches and then delivers the held events in order', async () => {
    const types: string[] = [];
    const controller = await new Watch(config).watch(
      '/api/v1/namespaces/default/pods',
      { fieldSelector: 'metadata.name=stalled' },
      (type) => types.push(type),
      () => {},
    );
    await fake.waitFor(() => fake.requests.at(-1)?.status === 200);
    const release = fake.faults.stallWatches(60_000);
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('stalled', 'true') });
    await fake.waitFor(() =>
      fake.pods('default').some((p) => p.metadata?.name === 'stalled' && p.status?.phase === 'Succeeded'),
    );
    assert.deepEqual(types, [], 'nothing is delivered while the watch stalls');
    release();
    await fake.waitFor(() => types.length >= 3);
    controller.abort();
    assert.equal(types[0], 'ADDED');
  });

  it('writes a malformed line that the client skips, the stream going on afterwards', async () => {
    const names: string[] = [];
    const controller = await new Watch(config).watch(
      '/api/v1/namespaces/default/pods',
      { labelSelector: 'batch=malformed' },
      (_type, object: { metadata?: { name?: string } }) => names.push(object.metadata?.name ?? ''),
      () => {},
    );
    await fake.waitFor(() => fake.requests.at(-1)?.status === 200);
    fake.faults.malformedLine();
    const body = shellPod('after-garbage', 'true');
    body.metadata = { name: 'after-garbage', labels: { batch: 'malformed' } };
    await api.createNamespacedPod({ namespace: 'default', body });
    await fake.waitFor(() => names.includes('after-garbage'));
    controller.abort();
  });

  it('watches events with an involvedObject field selector', async () => {
    const reasons: string[] = [];
    const controller = await new Watch(config).watch(
      '/api/v1/namespaces/default/events',
      { fieldSelector: 'involvedObject.name=pull-watch' },
      (_type, event: { reason?: string }) => reasons.push(event.reason ?? ''),
      () => {},
    );
    await fake.waitFor(() => fake.requests.at(-1)?.status === 200);
    const body = shellPod('pull-watch', 'true');
    const container = body.spec?.containers[0];
    if (container) container.image = 'example.org/does-not-exist';
    await api.createNamespacedPod({ namespace: 'default', body });
    await fake.waitFor(() => reasons.includes('Failed'));
    controller.abort();
    assert.deepEqual(reasons.slice(0, 2), ['Scheduled', 'Pulling']);
  });

  it('kills every container process on close()', async () => {
    const other = await startFakeKube();
    const marker = uniqueMarker();
    try {
      const client = clientFor(other).api;
      await client.createNamespacedPod({
        namespace: 'default',
        body: shellPod('long', `sleep 60; echo ${marker}`),
      });
      await waitForPod(
        other,
        'long',
        (pod) => pod.status?.containerStatuses?.[0]?.state?.running !== undefined,
      );
      assert.ok((await processesWith(marker)).length > 0);
    } finally {
      await other.close();
    }
    assert.deepEqual(await processesWith(marker), []);
  });
});
