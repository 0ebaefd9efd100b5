import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type CoreV1Api, Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import { clientFor, readLog, shellPod, terminatedOf, waitForPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

/** Run one exec through the real client; resolves with its output and status. */
async function exec(config: KubeConfig, pod: string, container: string, command: string[], stdin?: Buffer) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const status = await new Promise<V1Status>((resolve, reject) => {
    const input = stdin ? Readable.from([stdin]) : null;
    new Exec(config)
      .exec('default', pod, container, command, stdout, stderr, input, false, resolve)
      .catch(reject);
  });
  return { out, err, status };
}

describe('fake kube: exec over WebSocket through the real client', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  let config: KubeConfig;
  before(async () => {
    fake = await startFakeKube();
    ({ api, config } = clientFor(fake));
  });
  after(() => fake.close());

  it('streams a tar archive into an init container; the app container then sees the files', async () => {
    const volumeMounts = [{ name: 'repo', mountPath: '/mnt/berth-fake-test-repo' }];
    const wait =
      'while [ ! -f /tmp/never ] && [ ! -f /mnt/berth-fake-test-repo/.ready ]; do sleep 0.02; done';
    await api.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'with-source' },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'repo', emptyDir: {} }],
          initContainers: [{ name: 'source', image: 'alpine', command: ['sh', '-c', wait], volumeMounts }],
          containers: [
            {
              name: 'main',
              image: 'alpine',
              command: ['sh', '-c', 'cat hello.txt'],
              workingDir: '/mnt/berth-fake-test-repo',
              volumeMounts,
            },
          ],
        },
      },
    });
    await waitForPod(
      fake,
      'with-source',
      (pod) => pod.status?.initContainerStatuses?.[0]?.state?.running !== undefined,
    );
    const archive = await tarOf({ 'hello.txt': 'hello from the archive\n', '.ready': '' });
    const result = await exec(
      config,
      'with-source',
      'source',
      ['tar', '-x', '-C', '/mnt/berth-fake-test-repo'],
      archive,
    );
    assert.equal(result.status.status, 'Success', result.err);
    const done = await waitForPod(fake, 'with-source', (pod) => terminatedOf(pod) !== undefined);
    assert.equal(terminatedOf(done)?.exitCode, 0);
    assert.equal(await readLog(config, 'with-source', 'main'), 'hello from the archive\n');
    assert.equal(fake.count({ verb: 'exec', resource: 'pods' }), 1);
  });

  it('reports a non-zero exit as Failure / NonZeroExitCode with the code in details.causes', async () => {
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('sleeper', 'sleep 30') });
    await waitForPod(
      fake,
      'sleeper',
      (pod) => pod.status?.containerStatuses?.[0]?.state?.running !== undefined,
    );
    const result = await exec(config, 'sleeper', 'main', ['sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(result.out, 'out\n');
    assert.equal(result.err, 'err\n');
    assert.equal(result.status.status, 'Failure');
    assert.equal(result.status.reason, 'NonZeroExitCode');
    assert.deepEqual(result.status.details?.causes, [{ reason: 'ExitCode', message: '7' }]);
  });

  it('runs in the container PID namespace: PID 1 is the container command', async () => {
    const result = await exec(config, 'sleeper', 'main', ['cat', '/proc/1/cmdline']);
    assert.equal(result.out.replaceAll('\0', ' ').trim(), 'sh -c sleep 30');
  });

  it('refuses exec into a pod that does not exist, and fails on demand', async () => {
    await assert.rejects(exec(config, 'missing', 'main', ['true']));
    fake.faults.execErrors(1);
    await assert.rejects(exec(config, 'sleeper', 'main', ['true']));
    const ok = await exec(config, 'sleeper', 'main', ['true']);
    assert.equal(ok.status.status, 'Success');
  });

  it('speaks v4.channel.k8s.io to a client that offers only v4 (status on channel 3)', async () => {
    const url = `${fake.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/sleeper/exec?container=main&command=sh&command=-c&command=echo%20v4%3B%20exit%202&stdout=true&stderr=true`;
    const socket = new WebSocket(url, ['v4.channel.k8s.io']);
    const frames: Buffer[] = [];
    socket.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve) => socket.on('close', resolve));
    assert.equal(socket.protocol, 'v4.channel.k8s.io');
    assert.equal(
      frames
        .find((frame) => frame[0] === 1)
        ?.subarray(1)
        .toString(),
      'v4\n',
    );
    const status = JSON.parse(
      frames
        .find((frame) => frame[0] === 3)
        ?.subarray(1)
        .toString() ?? '{}',
    );
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details.causes[0].message, '2');
  });
});

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const { pack } = await import('tar-stream');
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
