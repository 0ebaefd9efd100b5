import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BuildRecord, BuildRequest } from '../../src/builds/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { runBuild } from '../../src/engine/index.ts';
import { createLocalAdapter } from '../../src/forge/local/adapter.ts';
import { createPipelineExecutor } from '../../src/queue/pipeline-executor.ts';
import type { QueueStack } from '../../src/queue/stack.ts';
import { createLocalRuntime } from '../../src/runtime/local/index.ts';
import { processesWith, uniqueMarker } from '../support/processes.ts';
import { testStack, testWorker, waitForRecord, waitForState } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const local = (repo: string, overrides: Partial<BuildRequest> = {}): BuildRequest => ({
  forge: 'local',
  repo,
  ref: 'main',
  refType: 'branch',
  trigger: 'manual',
  inputs: {},
  rerun: true,
  ...overrides,
});

const pipelineExecutor = () =>
  createPipelineExecutor({
    runtime: createLocalRuntime({ killGraceMs: 300, hostEnv: { PATH: process.env.PATH } }),
    runBuild,
    instance: 'test',
    images: loadConfig({}).images,
    wharfVars: {},
    configuredVars: {},
    timeouts: { stepMs: 60_000, buildMs: 60_000, cleanupMs: 5_000 },
    logCapBytes: 1e6,
  });

describe('build worker', () => {
  let server: TestRedis;
  let stack: QueueStack;
  let repo: string;

  before(async () => {
    server = await startRedis();
    stack = testStack(server.url);
    repo = await mkdtemp(join(tmpdir(), 'berth-worker-'));
  });
  after(async () => {
    await stack.close();
    await server.stop();
    await rm(repo, { recursive: true, force: true });
  });

  it('cancelling a build stops its local processes', async () => {
    const marker = uniqueMarker();
    const pipeline = `build:\n  wait:\n    container:\n      image: alpine\n      cmds:\n        - echo started\n        - sh -c 'sleep 60; echo ${marker}'\n`;
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline);
    const worker = await testWorker(stack, { execute: pipelineExecutor() });
    try {
      const { id } = await stack.service.request(local(repo));
      await waitForRecord(stack, id, (r) => r?.stages[0]?.steps[0]?.status === 'running');
      for (let i = 0; i < 100 && (await processesWith(marker)).length === 0; i++) await sleepMs(50);
      assert.notDeepEqual(await processesWith(marker), [], 'the step never started');
      await stack.service.cancel({ repo }, 'stop it');
      const record = await waitForState(stack, id, 'cancelled', 'success', 'failed', 'error');
      assert.deepEqual([record?.status, record?.message], ['cancelled', 'stop it']);
      assert.deepEqual(await processesWith(marker), []);
    } finally {
      await worker.close(2000);
    }
  });

  it('ends a build with an unknown forge as error/config, and a bad job the same way', async () => {
    const worker = await testWorker(stack);
    try {
      const { id } = await stack.service.request(
        local(repo, { forge: 'github', repo: 'acme/app', sha: 'c'.repeat(40) }),
      );
      const record = await waitForState(stack, id, 'error', 'success');
      assert.deepEqual(
        [record?.status, record?.reason, record?.message],
        ['error', 'config', "forge 'github' is not enabled"],
      );

      const bad = await stack.store.create(local(repo, { ref: 'bad' }));
      await stack.service.queue.add(
        'build',
        { id: bad.id, request: { forge: 'local', repo } },
        { jobId: bad.id },
      );
      const rejected = await waitForState(stack, bad.id, 'error', 'success');
      assert.equal(rejected?.reason, 'config');
      assert.match(rejected?.message ?? '', /^invalid build request: .*ref: /);
    } finally {
      await worker.close(1000);
    }
  });

  it('reports every change, newest last, and a failing reporter never fails the build', async () => {
    const seen: string[] = [];
    const adapter = createLocalAdapter();
    const reporter = {
      report: async (record: BuildRecord) => {
        seen.push(record.status);
        if (seen.length === 1) throw new Error('forge down');
      },
    };
    const worker = await testWorker(stack, { adapters: { local: { ...adapter, reporter } } });
    try {
      const { id } = await stack.service.request(local(repo, { ref: 'report' }));
      assert.equal((await waitForState(stack, id, 'success', 'error'))?.status, 'success');
      await waitForRecord(stack, id, () => seen.at(-1) === 'success');
      assert.equal(seen[0], 'running');
      assert.equal(seen.filter((s) => s === 'success').length, 1);
    } finally {
      await worker.close(1000);
    }
  });
});

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
