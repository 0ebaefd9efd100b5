import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BuildRequest } from '../../src/builds/types.ts';
import type { QueueStack } from '../../src/queue/stack.ts';
import { localPlanAndRun } from '../support/local-runner.ts';
import { killAllWith, uniqueMarker } from '../support/processes.ts';
import { testStack, testWorker, waitForRecord } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { exited, spawnServeWorker, spawnWorker } from '../support/spawn-worker.ts';

const TAKEN_OVER = 'build taken over by another worker: running it again';
const ended = ['success', 'failed', 'error', 'cancelled'];

const request = (repo: string): BuildRequest => ({
  forge: 'local',
  repo,
  ref: 'main',
  refType: 'branch',
  trigger: 'manual',
  inputs: {},
  rerun: true,
});

const pipeline = (script: string) =>
  `build:\n  work:\n    container:\n      image: alpine\n      cmds:\n        - ${JSON.stringify(script)}\n`;

describe('taking over builds', () => {
  let server: TestRedis;
  let stack: QueueStack;
  let root: string;

  before(async () => {
    server = await startRedis();
    stack = testStack(server.url);
    root = await mkdtemp(join(tmpdir(), 'berth-takeover-'));
  });
  after(async () => {
    await stack.close();
    await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('a SIGKILLed `berth serve` worker loses its build to another within 15 s (default lock)', async (t) => {
    const marker = uniqueMarker();
    const repo = await mkdtemp(join(root, 'repo-'));
    const runs = join(root, `${marker}-runs`);
    // The first run waits for good; the one after the takeover finishes at once.
    const script = `test -e ${runs} && { echo again >> ${runs}; exit 0; }; echo first > ${runs}; sleep 300 # ${marker}`;
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline(script));
    const env = { BERTH_LOCAL_SOURCES: root };
    const first = await spawnServeWorker(server.url, env);
    let second: Awaited<ReturnType<typeof spawnServeWorker>> | undefined;
    try {
      const { id } = await stack.service.request(request(repo));
      await waitForRecord(stack, id, (r) => r?.stages[0]?.steps[0]?.status === 'running', 30_000);
      second = await spawnServeWorker(server.url, env);
      const killedAt = Date.now();
      first.kill('SIGKILL');
      assert.equal(await exited(first), 'SIGKILL');
      const record = await waitForRecord(stack, id, (r) => ended.includes(r?.status ?? ''), 15_000);
      t.diagnostic(`killed → build ended: ${Date.now() - killedAt} ms`);
      assert.equal(record?.status, 'success');
      assert.equal(await readFile(runs, 'utf8'), 'first\nagain\n');
      const log = (await stack.logs.read(id, null)).entries.map((e) => e.text);
      assert.ok(log.includes(TAKEN_OVER), log.join('\n'));
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      if (second) await exited(second);
      await killAllWith(marker);
    }
  });

  it('a long step of a healthy worker whose event loop is busy is not taken over', async () => {
    const marker = uniqueMarker();
    const repo = await mkdtemp(join(root, 'repo-'));
    const runs = join(root, `${marker}-runs`);
    // Four lock durations of output (4 s lock), while the worker holds its loop 1.5 s at a time.
    const script = `echo run >> ${runs}; for i in $(seq 1 15); do seq 1 10000; sleep 1; done # ${marker}`;
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline(script));
    const lock = { lockDurationMs: 4000, stalledIntervalMs: 500 };
    const busy = await spawnWorker(server.url, {
      LOCAL_RUNNER: '1',
      LOCK_MS: String(lock.lockDurationMs),
      STALLED_MS: String(lock.stalledIntervalMs),
      BUSY_MS: '1500',
      IDLE_MS: '300',
    });
    let watcher: Awaited<ReturnType<typeof testWorker>> | undefined;
    try {
      const { id } = await stack.service.request(request(repo));
      await waitForRecord(stack, id, (r) => r?.stages[0]?.steps[0]?.status === 'running', 30_000);
      // An idle worker, ready to take the build over the moment its lock lapses.
      watcher = await testWorker(stack, { ...lock, runner: localPlanAndRun() });
      const record = await waitForRecord(stack, id, (r) => ended.includes(r?.status ?? ''), 90_000);
      assert.equal(record?.status, 'success', record?.message ?? '');
      assert.equal(await readFile(runs, 'utf8'), 'run\n');
      const log = (await stack.logs.read(id, null, 400_000)).entries.map((e) => e.text);
      assert.ok(!log.includes(TAKEN_OVER));
      assert.equal(log.filter((text) => text === '10000').length, 15);
    } finally {
      busy.kill('SIGKILL');
      await watcher?.close(2000);
      await killAllWith(marker);
    }
  });
});
