import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { clientFor, readLog, shellPod, terminatedOf, waitForPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z /;

describe('fake kube: container logs through the real client', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  let config: KubeConfig;
  before(async () => {
    fake = await startFakeKube();
    ({ api, config } = clientFor(fake));
  });
  after(() => fake.close());

  it('keeps the full log of instantly-exiting containers until the pod is deleted', async () => {
    const names = Array.from({ length: 10 }, (_, index) => `instant-${index}`);
    for (const name of names) {
      await api.createNamespacedPod({ namespace: 'default', body: shellPod(name, `echo ${name}; exit 0`) });
    }
    for (const name of names) {
      await waitForPod(fake, name, (pod) => terminatedOf(pod) !== undefined);
      assert.equal(await readLog(config, name, 'main'), `${name}\n`);
      assert.equal(await readLog(config, name, 'main', { follow: true }), `${name}\n`);
    }
    await api.deleteNamespacedPod({ namespace: 'default', name: 'instant-0' });
    await assert.rejects(
      readLog(config, 'instant-0', 'main'),
      (error: ApiException<unknown>) => error.code === 404,
    );
  });

  it('answers 400 "waiting to start" (a v1.Status) while the container waits', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: shellPod('initializing', 'echo main', {
        initContainers: [{ name: 'setup', image: 'alpine', command: ['sleep', '30'] }],
      }),
    });
    await waitForPod(
      fake,
      'initializing',
      (pod) => pod.status?.initContainerStatuses?.[0]?.state?.running !== undefined,
    );
    await assert.rejects(
      readLog(config, 'initializing', 'main'),
      (error: ApiException<unknown>) => error.code === 400,
    );
    const response = await fetch(
      `${fake.url}/api/v1/namespaces/default/pods/initializing/log?container=main`,
    );
    assert.equal(response.status, 400);
    const status = (await response.json()) as { kind: string; message: string };
    assert.equal(status.kind, 'Status');
    assert.equal(
      status.message,
      'container "main" in pod "initializing" is waiting to start: PodInitializing',
    );
  });

  it('follows a running container until it ends', async () => {
    const script = 'for i in 1 2 3; do echo line $i; sleep 0.1; done';
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('follow-me', script) });
    await waitForPod(
      fake,
      'follow-me',
      (pod) => pod.status?.containerStatuses?.[0]?.state?.running !== undefined,
    );
    assert.equal(await readLog(config, 'follow-me', 'main', { follow: true }), 'line 1\nline 2\nline 3\n');
    const pod = await waitForPod(fake, 'follow-me', (candidate) => terminatedOf(candidate) !== undefined);
    assert.equal(terminatedOf(pod)?.exitCode, 0);
  });

  it('prefixes RFC3339Nano timestamps and filters by sinceTime (whole seconds, like the API server)', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: shellPod('stamped', 'echo a; sleep 1.1; echo b'),
    });
    await waitForPod(fake, 'stamped', (pod) => terminatedOf(pod) !== undefined);
    const lines = (await readLog(config, 'stamped', 'main', { timestamps: true }))
      .split('\n')
      .filter(Boolean);
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, RFC3339_NANO);
    const second = lines[1]?.split(' ')[0] ?? '';
    const since = await readLog(config, 'stamped', 'main', { timestamps: true, sinceTime: second });
    assert.equal(since, `${lines[1]}\n`);
    assert.equal(await readLog(config, 'stamped', 'main', { tailLines: 1 }), 'b\n');
  });

  it('fails the next n log requests with 500 on demand', async () => {
    fake.faults.logErrors(1);
    await assert.rejects(
      readLog(config, 'stamped', 'main'),
      (error: ApiException<unknown>) => error.code === 500,
    );
    assert.equal(await readLog(config, 'stamped', 'main'), 'a\nb\n');
    assert.equal(fake.count({ verb: 'log', resource: 'pods' }) >= 2, true);
  });
});
