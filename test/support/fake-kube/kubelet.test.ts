import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { clientFor, readLog, shellPod, terminatedOf, waitForPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

describe('fake kube: kubelet simulator', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  let config: KubeConfig;
  before(async () => {
    fake = await startFakeKube();
    ({ api, config } = clientFor(fake));
  });
  after(() => fake.close());

  const finished = (name: string) => waitForPod(fake, name, (pod) => terminatedOf(pod) !== undefined);

  it('expands $(VAR) from the container env, turns $$ into $, and keeps unknown references', async () => {
    const body: V1Pod = {
      metadata: { name: 'expansion' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: 'alpine',
            command: ['echo'],
            args: ['$(GREETING)', '$$(GREETING)', '$$HOME', '$(MISSING)', 'cost: $5'],
            env: [
              { name: 'NAME', value: 'berth' },
              { name: 'GREETING', value: 'hello-$(NAME)' },
            ],
          },
        ],
      },
    };
    await api.createNamespacedPod({ namespace: 'default', body });
    await finished('expansion');
    assert.equal(
      await readLog(config, 'expansion', 'main'),
      'hello-berth $(GREETING) $HOME $(MISSING) cost: $5\n',
    );
  });

  it('takes env from secretKeyRef and envFrom; a missing secret waits in CreateContainerConfigError', async () => {
    const body = shellPod('secret-env', 'echo "$TOKEN $API_USER"', {
      containers: [
        {
          name: 'main',
          image: 'alpine',
          command: ['sh', '-c', 'echo "$TOKEN $API_USER"'],
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
          envFrom: [{ secretRef: { name: 'more' }, prefix: 'API_' }],
        },
      ],
    });
    await api.createNamespacedPod({ namespace: 'default', body });
    const waiting = await waitForPod(
      fake,
      'secret-env',
      (pod) => pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    assert.equal(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message, 'secret "more" not found');
    fake.secrets.put('default', 'creds', { token: 's3cret' });
    fake.secrets.put('default', 'more', { USER: 'robot' });
    await finished('secret-env');
    assert.equal(await readLog(config, 'secret-env', 'main'), 's3cret robot\n');
  });

  it('mounts emptyDir and secret volumes at their mountPaths, private to the pod', async () => {
    fake.secrets.put('default', 'files', { 'config.json': '{"a":1}' });
    const body = shellPod(
      'volumes',
      'cat /etc/berth-fake-secret/config.json; echo x > /mnt/berth-fake-scratch/f; cat f',
      {
        volumes: [
          { name: 'scratch', emptyDir: {} },
          { name: 'secret', secret: { secretName: 'files' } },
        ],
      },
    );
    const container = body.spec?.containers[0];
    if (container) {
      container.workingDir = '/mnt/berth-fake-scratch';
      container.volumeMounts = [
        { name: 'scratch', mountPath: '/mnt/berth-fake-scratch' },
        { name: 'secret', mountPath: '/etc/berth-fake-secret' },
      ];
    }
    await api.createNamespacedPod({ namespace: 'default', body });
    const pod = await finished('volumes');
    assert.equal(terminatedOf(pod)?.exitCode, 0);
    assert.equal(await readLog(config, 'volumes', 'main'), '{"a":1}x\n');
  });

  it('reports a missing secret volume as a FailedMount Warning and starts once the secret exists', async () => {
    const body = shellPod('mount-waits', 'cat /etc/berth-fake-late/key', {
      volumes: [{ name: 'late', secret: { secretName: 'late-secret' } }],
    });
    const container = body.spec?.containers[0];
    if (container) container.volumeMounts = [{ name: 'late', mountPath: '/etc/berth-fake-late' }];
    await api.createNamespacedPod({ namespace: 'default', body });
    const fieldSelector = 'involvedObject.name=mount-waits,reason=FailedMount';
    let events = await api.listNamespacedEvent({ namespace: 'default', fieldSelector });
    for (let attempt = 0; events.items.length === 0 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events = await api.listNamespacedEvent({ namespace: 'default', fieldSelector });
    }
    assert.equal(events.items[0]?.type, 'Warning');
    assert.equal(
      events.items[0]?.message,
      'MountVolume.SetUp failed for volume "late" : secret "late-secret" not found',
    );
    const waiting = fake.pods().find((pod) => pod.metadata?.name === 'mount-waits');
    assert.equal(waiting?.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    fake.secrets.put('default', 'late-secret', { key: 'arrived' });
    await finished('mount-waits');
    assert.equal(await readLog(config, 'mount-waits', 'main'), 'arrived');
  });

  it('runs init containers in order before the app container', async () => {
    const volumeMounts = [{ name: 'work', mountPath: '/mnt/berth-fake-order' }];
    const step = (name: string) => ({
      name,
      image: 'alpine',
      command: ['sh', '-c', `echo ${name} >> /mnt/berth-fake-order/order`],
      volumeMounts,
    });
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'ordered' },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'work', emptyDir: {} }],
          initContainers: [step('first'), step('second')],
          containers: [
            { name: 'main', image: 'alpine', command: ['cat', '/mnt/berth-fake-order/order'], volumeMounts },
          ],
        },
      },
    });
    const pod = await finished('ordered');
    assert.equal(await readLog(config, 'ordered', 'main'), 'first\nsecond\n');
    assert.equal(pod.status?.phase, 'Succeeded');
    assert.equal(
      pod.status?.conditions?.find((condition) => condition.type === 'Initialized')?.status,
      'True',
    );
  });

  it('fails the pod when an init container fails, and never starts the app container', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: shellPod('init-fails', 'echo never', {
        initContainers: [{ name: 'setup', image: 'alpine', command: ['sh', '-c', 'exit 4'] }],
      }),
    });
    const pod = await waitForPod(fake, 'init-fails', (candidate) => candidate.status?.phase === 'Failed');
    assert.equal(terminatedOf(pod, 'setup')?.exitCode, 4);
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  });

  it('enforces activeDeadlineSeconds: phase Failed, reason DeadlineExceeded, processes killed', async () => {
    await api.createNamespacedPod({
      namespace: 'default',
      body: shellPod('deadline', 'sleep 30', { activeDeadlineSeconds: 1 }),
    });
    const pod = await waitForPod(fake, 'deadline', (candidate) => candidate.status?.phase === 'Failed');
    assert.equal(pod.status?.reason, 'DeadlineExceeded');
    assert.equal(terminatedOf(pod)?.exitCode, 137);
  });

  it('reports a missing command as StartError exit 128 with the runtime message', async () => {
    const body = shellPod('no-binary', '');
    const container = body.spec?.containers[0];
    if (container) container.command = ['berth-no-such-binary'];
    await api.createNamespacedPod({ namespace: 'default', body });
    const pod = await finished('no-binary');
    assert.equal(terminatedOf(pod)?.reason, 'StartError');
    assert.equal(terminatedOf(pod)?.exitCode, 128);
    assert.match(
      terminatedOf(pod)?.message ?? '',
      /"berth-no-such-binary": executable file not found in \$PATH/,
    );
  });

  it('records Scheduled, Pulled, Created and Started events, listable by involvedObject', async () => {
    const events = await api.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=expansion,involvedObject.kind=Pod',
    });
    const reasons = events.items.map((event) => event.reason);
    assert.deepEqual(reasons, ['Scheduled', 'Pulled', 'Created', 'Started']);
    assert.ok(
      events.items.every((event) => event.type === 'Normal' && event.involvedObject.name === 'expansion'),
    );
  });

  it('runs containers as their securityContext user, with the fsGroup owning emptyDirs, else as the image USER', async () => {
    const script =
      'echo "$(id -u) $(id -g) $(id -G)"; stat -c "%U %g %a" /work; touch /work/made && echo wrote';
    const volume = { volumes: [{ name: 'work', emptyDir: {} }] };
    const mounts = [{ name: 'work', mountPath: '/work' }];
    const pod = (name: string, image: string, securityContext: object, containerContext: object) =>
      shellPod(name, script, {
        ...volume,
        securityContext,
        containers: [
          {
            name: 'main',
            image,
            command: ['sh', '-c', script],
            volumeMounts: mounts,
            securityContext: containerContext,
          },
        ],
      });
    await api.createNamespacedPod({
      namespace: 'default',
      body: pod('as-user', 'alpine:3', { fsGroup: 2000 }, { runAsUser: 1234, runAsGroup: 1235 }),
    });
    await api.createNamespacedPod({
      namespace: 'default',
      body: pod('image-user', 'berth.test/nonroot:1', {}, {}),
    });
    await finished('as-user');
    await finished('image-user');
    assert.equal(await readLog(config, 'as-user', 'main'), '1234 1235 1235 2000\nroot 2000 2777\nwrote\n');
    assert.equal(await readLog(config, 'image-user', 'main'), '1000 1000 1000\nroot 0 777\nwrote\n');
  });
});
