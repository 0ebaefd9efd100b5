import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BuildRecord, BuildRequest } from '../../src/builds/types.ts';
import { createLocalAdapter } from '../../src/forge/local/adapter.ts';
import type { QueueStack } from '../../src/queue/stack.ts';
import { localPlanAndRun } from '../support/local-runner.ts';
import { killAllWith, processesWith, survivorsWith, uniqueMarker } from '../support/processes.ts';
import { testStack, testWorker, waitForRecord, waitForState } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { exited, spawnWorker } from '../support/spawn-worker.ts';

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
    const worker = await testWorker(stack, { runner: localPlanAndRun() });
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

  it('a worker SIGKILLed mid-build leaves no local step process, and the build is taken over', async () => {
    const marker = uniqueMarker();
    const go = join(repo, '..', `${marker}-go`);
    const script = `test -e ${go} && exit 0; sh -c 'sleep 300; echo ${marker}' & sleep 301; echo ${marker}`;
    const pipeline = `build:\n  wait:\n    container:\n      image: alpine\n      cmds:\n        - ${JSON.stringify(script)}\n`;
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline);
    const child = await spawnWorker(server.url, { LOCAL_RUNNER: '1' });
    let worker: Awaited<ReturnType<typeof testWorker>> | undefined;
    try {
      const { id } = await stack.service.request(local(repo, { ref: 'sigkill' }));
      for (let i = 0; i < 200 && (await processesWith(marker)).length < 2; i++) await sleepMs(50);
      assert.ok((await processesWith(marker)).length >= 2, 'the step never started');
      child.kill('SIGKILL');
      assert.equal(await exited(child), 'SIGKILL');
      assert.deepEqual(await survivorsWith(marker, 5000), []);
      await writeFile(go, '');
      worker = await testWorker(stack, { runner: localPlanAndRun() });
      const record = await waitForState(stack, id, 'success', 'error', 'failed', 'cancelled');
      assert.equal(record?.status, 'success');
    } finally {
      child.kill('SIGKILL');
      await worker?.close(2000);
      await rm(go, { force: true });
      await killAllWith(marker);
    }
  });

  it("plans with the repository's .wharf-vars.yml; a broken one fails the build naming it", async () => {
    const pipeline =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: wharf variables, not JS templates
      'build:\n  hello:\n    container:\n      image: alpine\n      cmds:\n        - echo "${GREETING} to ${REPO_NAME}"\n';
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline);
    await writeFile(join(repo, '.wharf-vars.yml'), 'vars:\n  GREETING: hello from vars\n');
    const worker = await testWorker(stack, { runner: localPlanAndRun() });
    try {
      const { id } = await stack.service.request(local(repo, { ref: 'vars' }));
      const record = await waitForState(stack, id, 'success', 'failed', 'error');
      assert.equal(record?.status, 'success', record?.message ?? '');
      const log = (await stack.logs.read(id, null)).entries.map((e) => e.text);
      assert.ok(
        log.some((line) => /^hello from vars to /.test(line)),
        log.join('\n'),
      );

      await writeFile(join(repo, '.wharf-vars.yml'), 'vars:\n  GREETING: [unclosed\n');
      const broken = await stack.service.request(local(repo, { ref: 'broken-vars' }));
      const failed = await waitForState(stack, broken.id, 'success', 'failed', 'error');
      assert.deepEqual([failed?.status, failed?.reason], ['failed', 'config']);
      assert.match(
        failed?.message ?? '',
        /^\.wharf-vars\.yml is invalid:\n\.wharf-vars\.yml:\d+:\d+: error: /,
      );
    } finally {
      await rm(join(repo, '.wharf-vars.yml'), { force: true });
      await worker.close(1000);
    }
  });

  it('puts WHARF_VAR_* above .wharf-vars.yml, and both above what the local forge guesses from the folder', async () => {
    const pipeline =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: wharf variables, not JS templates
      'build:\n  hello:\n    container:\n      image: alpine\n      cmds:\n        - echo "at ${REPO_GROUP}/${REPO_NAME} ${GREETING}"\n';
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline);
    await writeFile(
      join(repo, '.wharf-vars.yml'),
      'vars:\n  REPO_GROUP: team\n  REPO_NAME: from-file\n  GREETING: file\n',
    );
    const worker = await testWorker(stack, {
      runner: localPlanAndRun({ REPO_NAME: 'app', GREETING: 'env' }),
    });
    try {
      const { id } = await stack.service.request(local(repo, { ref: 'precedence' }));
      const record = await waitForState(stack, id, 'success', 'failed', 'error');
      assert.equal(record?.status, 'success', record?.message ?? '');
      const log = (await stack.logs.read(id, null)).entries.map((e) => e.text);
      assert.ok(log.includes('at team/app env'), log.join('\n'));
    } finally {
      await rm(join(repo, '.wharf-vars.yml'), { force: true });
      await worker.close(1000);
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
    const adapter = createLocalAdapter([tmpdir()]);
    const reporter = {
      report: async (record: BuildRecord) => {
        seen.push(record.status);
        if (seen.length === 1) throw new Error('forge down');
      },
      notice: async () => {},
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
  it('refuses a queued local: source outside BERTH_LOCAL_SOURCES where it reads it', async () => {
    // A job written to the queue directly (not through POST /api/builds, which checks too).
    const allowed = await mkdtemp(join(tmpdir(), 'berth-allowed-'));
    const worker = await testWorker(stack, {
      runner: localPlanAndRun(),
      adapters: { local: createLocalAdapter([allowed]) },
    });
    try {
      await writeFile(
        join(repo, '.wharf-ci.yml'),
        'build:\n  x:\n    container:\n      image: a\n      cmds: [true]\n',
      );
      const { id } = await stack.service.request(local(repo, { ref: 'outside' }));
      const record = await waitForState(stack, id, 'error', 'failed', 'success');
      assert.equal(record?.status, 'failed');
      assert.equal(record?.reason, 'config');
      assert.match(record?.message ?? '', /is not inside a folder listed in BERTH_LOCAL_SOURCES/);
      assert.deepEqual(record?.stages, [], 'nothing of the folder was read');
    } finally {
      await worker.close(1000);
      await rm(allowed, { recursive: true, force: true });
    }
  });
});

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
