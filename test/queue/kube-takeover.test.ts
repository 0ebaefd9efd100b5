import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { QueueStack } from '../../src/queue/stack.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { kubePlanAndRun } from '../support/kube-runner.ts';
import { testStack, testWorker, waitForRecord, waitForState } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { exited, spawnWorker } from '../support/spawn-worker.ts';

const PIPELINE = [
  'build:',
  '  slow:',
  '    container:',
  '      image: alpine:3.20',
  '      cmds:',
  '        - echo started',
  '        - sleep 2',
  '        - echo finished',
  '',
].join('\n');

describe('a worker SIGKILLed mid-build on the Kubernetes runtime', () => {
  let server: TestRedis;
  let stack: QueueStack;
  let kube: FakeKube;
  let repo: string;

  before(async () => {
    server = await startRedis();
    stack = testStack(server.url);
    kube = await startFakeKube({ namespaces: ['ci'] });
    repo = await mkdtemp(join(tmpdir(), 'berth-kube-repo-'));
    await writeFile(join(repo, '.wharf-ci.yml'), PIPELINE);
  });
  after(async () => {
    await stack.close();
    await kube.close();
    await server.stop();
    await rm(repo, { recursive: true, force: true });
  });

  it('another worker adopts or replaces the pod, finishes the build, and no pod is left', async () => {
    const env = { KUBECONFIG: kube.kubeconfigPath, BERTH_NAMESPACE: 'ci', PATH: process.env.PATH };
    const first = await spawnWorker(server.url, { KUBECONFIG: kube.kubeconfigPath, BERTH_NAMESPACE: 'ci' });
    const request = { forge: 'local', repo, ref: 'main', refType: 'branch', trigger: 'manual' } as const;
    const { id } = await stack.service.request({ ...request, inputs: {}, rerun: true });
    await waitForRecord(stack, id, (r) => r?.stages[0]?.steps[0]?.status === 'running');
    await kube.waitFor(() => kube.pods('ci').length === 1, 10_000);
    first.kill('SIGKILL');
    assert.equal(await exited(first), 'SIGKILL');
    const second = await testWorker(stack, { runner: await kubePlanAndRun(env) });
    try {
      const record = await waitForState(stack, id, 'success', 'failed', 'error', 'cancelled');
      assert.deepEqual([record?.status, record?.stages[0]?.steps[0]?.status], ['success', 'success']);
      const log = (await stack.logs.read(id, null)).entries.map((e) => e.text);
      assert.ok(log.includes('build taken over by another worker: running it again'));
      assert.ok(log.includes('finished'), log.join('\n'));
      await kube.waitFor(() => kube.pods('ci').length === 0, 10_000);
    } finally {
      await second.close(2000);
    }
  });
});
