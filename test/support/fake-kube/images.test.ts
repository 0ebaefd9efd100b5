import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CoreV1Api, type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { clientFor, shellPod, waitForPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

describe('fake kube: scripted failure images', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  let config: KubeConfig;
  before(async () => {
    fake = await startFakeKube({ kubeletTickMs: 5 });
    ({ api, config } = clientFor(fake));
  });
  after(() => fake.close());

  const create = (name: string, image: string, script = 'echo done') => {
    const body = shellPod(name, script);
    const container = body.spec?.containers[0];
    if (container) container.image = image;
    return api.createNamespacedPod({ namespace: 'default', body });
  };
  const waitingReason = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
  const warnings = async (name: string) => {
    const list = await api.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items.filter((event) => event.type === 'Warning');
  };

  it('…/does-not-exist: ErrImagePull, then ImagePullBackOff, with Warning events', async () => {
    await create('pull', 'registry.example/team/does-not-exist:1');
    const pulling = await waitForPod(fake, 'pull', (pod) => waitingReason(pod) === 'ErrImagePull');
    assert.match(
      pulling.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '',
      /Failed to pull image/,
    );
    const backoff = await waitForPod(fake, 'pull', (pod) => waitingReason(pod) === 'ImagePullBackOff');
    assert.equal(
      backoff.status?.containerStatuses?.[0]?.state?.waiting?.message,
      'Back-off pulling image "registry.example/team/does-not-exist:1"',
    );
    const messages = (await warnings('pull')).map((event) => event.message);
    assert.ok(messages.includes('Error: ErrImagePull'));
    assert.ok(messages.includes('Error: ImagePullBackOff'));
  });

  it('berth.test/unschedulable: PodScheduled False / Unschedulable, FailedScheduling, never starts', async () => {
    await create('unschedulable', 'berth.test/unschedulable');
    const pod = await waitForPod(fake, 'unschedulable', (candidate) =>
      Boolean(candidate.status?.conditions?.some((condition) => condition.reason === 'Unschedulable')),
    );
    const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
    assert.equal(scheduled?.status, 'False');
    assert.match(scheduled?.message ?? '', /0\/1 nodes are available/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const later = fake.pods().find((candidate) => candidate.metadata?.name === 'unschedulable');
    assert.equal(later?.status?.phase, 'Pending');
    assert.equal(later?.status?.containerStatuses, undefined);
    assert.deepEqual(
      (await warnings('unschedulable')).map((event) => event.reason),
      ['FailedScheduling'],
    );
  });

  it('berth.test/oom: terminated OOMKilled with exit 137', async () => {
    await create('oom', 'berth.test/oom');
    const pod = await waitForPod(fake, 'oom', (candidate) => candidate.status?.phase === 'Failed');
    const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.reason, 'OOMKilled');
    assert.equal(terminated?.exitCode, 137);
  });

  it('berth.test/evicted: phase Failed, reason Evicted, with the kubelet message', async () => {
    await create('evicted', 'berth.test/evicted');
    const pod = await waitForPod(fake, 'evicted', (candidate) => candidate.status?.phase === 'Failed');
    assert.equal(pod.status?.reason, 'Evicted');
    assert.match(pod.status?.message ?? '', /The node was low on resource: memory/);
  });

  it('berth.test/invalid:… → InvalidImageName; berth.test/create-error → CreateContainerError', async () => {
    await create('invalid', 'berth.test/invalid:UPPER CASE');
    await create('create-error', 'berth.test/create-error');
    const invalid = await waitForPod(fake, 'invalid', (pod) => waitingReason(pod) === 'InvalidImageName');
    assert.match(
      invalid.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '',
      /invalid reference format/,
    );
    await waitForPod(fake, 'create-error', (pod) => waitingReason(pod) === 'CreateContainerError');
  });

  it('berth.test/crashloop: CrashLoopBackOff with lastState terminated and a restart count', async () => {
    await create('crashloop', 'berth.test/crashloop');
    const pod = await waitForPod(
      fake,
      'crashloop',
      (candidate) => waitingReason(candidate) === 'CrashLoopBackOff',
    );
    const status = pod.status?.containerStatuses?.[0];
    assert.ok((status?.restartCount ?? 0) >= 1);
    assert.equal(status?.lastState?.terminated?.exitCode, 1);
    assert.ok((await warnings('crashloop')).some((event) => event.reason === 'BackOff'));
  });

  it('berth.test/succeeded-early: phase Succeeded one update before the terminated state', async () => {
    const seen: V1Pod[] = [];
    const controller = await new Watch(config).watch(
      '/api/v1/namespaces/default/pods',
      { fieldSelector: 'metadata.name=early' },
      (_type, object: V1Pod) => seen.push(object),
      () => {},
    );
    await create('early', 'berth.test/succeeded-early', 'echo early');
    await fake.waitFor(() => seen.some((pod) => pod.status?.containerStatuses?.[0]?.state?.terminated));
    controller.abort();
    const firstSucceeded = seen.findIndex((pod) => pod.status?.phase === 'Succeeded');
    const firstTerminated = seen.findIndex((pod) => pod.status?.containerStatuses?.[0]?.state?.terminated);
    assert.ok(firstSucceeded >= 0);
    assert.equal(firstTerminated, firstSucceeded + 1);
    assert.equal(seen[firstSucceeded]?.status?.containerStatuses?.[0]?.state?.running !== undefined, true);
    assert.equal(seen[firstTerminated]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  });

  it('berth.test/disruption: DisruptionTarget=True, then phase Failed', async () => {
    await create('disruption', 'berth.test/disruption');
    const pod = await waitForPod(fake, 'disruption', (candidate) => candidate.status?.phase === 'Failed');
    const condition = pod.status?.conditions?.find((entry) => entry.type === 'DisruptionTarget');
    assert.equal(condition?.status, 'True');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  });
});
