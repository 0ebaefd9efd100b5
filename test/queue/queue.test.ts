import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { BuildRequest } from '../../src/builds/types.ts';
import { testWorker, useQueueStack, waitForState } from '../support/queue-harness.ts';
import { exited, spawnWorker } from '../support/spawn-worker.ts';

const local = (overrides: Partial<BuildRequest> = {}): BuildRequest => ({
  forge: 'local',
  repo: '/tmp',
  ref: 'main',
  refType: 'branch',
  trigger: 'manual',
  inputs: {},
  rerun: false,
  ...overrides,
});

describe('build queue', () => {
  const fixture = useQueueStack();

  it('runs a build and records stages, steps and logs', async () => {
    const worker = await testWorker(fixture.stack);
    try {
      const { id } = await fixture.stack.service.request(local({ ref: 'run', inputs: { lines: '2' } }));
      const record = await waitForState(fixture.stack, id, 'success', 'failed', 'error');
      assert.equal(record?.status, 'success');
      assert.equal(record?.buildRef, 1);
      assert.deepEqual(
        record?.stages.map((s) => [
          s.name,
          s.status,
          s.steps.map((x) => `${x.name}:${x.status}:${x.exitCode}`),
        ]),
        [['build', 'success', ['main:success:0']]],
      );
      const page = await fixture.stack.logs.read(id, null);
      assert.deepEqual([page.entries.map((e) => e.text), page.ended], [['line 0', 'line 1'], true]);
    } finally {
      await worker.close(1000);
    }
  });

  it('tags every worker log line about a build with its id, repository and delivery', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const worker = await testWorker(fixture.stack, { logger });
    try {
      const { id } = await fixture.stack.service.request(local({ ref: 'logged', deliveryId: 'delivery-42' }));
      await waitForState(fixture.stack, id, 'success', 'failed', 'error');
      await new Promise((r) => setTimeout(r, 100));
      const about = lines.filter((line) => line.build === id);
      assert.ok(
        about.some((line) => line.msg === 'build finished'),
        'the worker logged the build',
      );
      for (const line of about) assert.deepEqual([line.repo, line.delivery], ['local:/tmp', 'delivery-42']);
    } finally {
      await worker.close(1000);
    }
  });

  it('makes one queued build for concurrent identical requests', async () => {
    const requests = Array.from({ length: 10 }, () =>
      fixture.stack.service.request(local({ ref: 'dedupe' })),
    );
    const results = await Promise.all(requests);
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => r.joined).length, 9);
    const jobs = await fixture.stack.service.queue.getJobs(['waiting', 'active', 'prioritized']);
    assert.equal(jobs.filter((j) => j.data.id === results[0]?.id).length, 1);
  });

  it('cancels older builds of the same branch, queued or running', async () => {
    const worker = await testWorker(fixture.stack);
    try {
      const first = await fixture.stack.service.request(
        local({ ref: 'feature', sha: 'a'.repeat(40), inputs: { sleepMs: '60000' } }),
      );
      await waitForState(fixture.stack, first.id, 'running');
      const second = await fixture.stack.service.request(local({ ref: 'feature', sha: 'b'.repeat(40) }));
      const cancelled = await waitForState(fixture.stack, first.id, 'cancelled', 'success', 'error');
      assert.equal(cancelled?.status, 'cancelled');
      assert.match(cancelled?.message ?? '', new RegExp(`superseded by build ${second.id}`));
      assert.equal((await waitForState(fixture.stack, second.id, 'success', 'cancelled'))?.status, 'success');
    } finally {
      await worker.close(1000);
    }
  });

  it('cancels a build running in another process', async () => {
    const child = await spawnWorker(fixture.server.url);
    try {
      const { id } = await fixture.stack.service.request(
        local({ ref: 'remote', inputs: { sleepMs: '60000' } }),
      );
      await waitForState(fixture.stack, id, 'running');
      assert.deepEqual(
        await fixture.stack.service.cancel({ repo: '/tmp', ref: 'remote' }, 'stopped by test'),
        [id],
      );
      const record = await waitForState(fixture.stack, id, 'cancelled', 'success', 'error');
      assert.deepEqual([record?.status, record?.reason], ['cancelled', 'cancelled']);
      assert.deepEqual(
        record?.stages[0]?.steps.map((s) => s.status),
        ['cancelled'],
      );
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
    }
  });

  it('a build whose worker was SIGKILLed is taken over and finishes', async () => {
    const child = await spawnWorker(fixture.server.url);
    const { id } = await fixture.stack.service.request(local({ ref: 'killed', inputs: { sleepMs: '1500' } }));
    await waitForState(fixture.stack, id, 'running');
    child.kill('SIGKILL');
    assert.equal(await exited(child), 'SIGKILL');
    const worker = await testWorker(fixture.stack);
    try {
      const record = await waitForState(fixture.stack, id, 'success', 'error', 'failed', 'cancelled');
      assert.equal(record?.status, 'success');
      const page = await fixture.stack.logs.read(id, null);
      assert.ok(page.entries.some((e) => e.text.includes('taken over by another worker')));
    } finally {
      await worker.close(1000);
    }
  });

  it('shuts down within its bound and hands the running build back', async () => {
    const worker = await testWorker(fixture.stack, { handBackMs: 2000 });
    const { id } = await fixture.stack.service.request(
      local({ ref: 'shutdown', inputs: { sleepMs: '60000' } }),
    );
    await waitForState(fixture.stack, id, 'running');
    const started = Date.now();
    await worker.close(300);
    assert.ok(Date.now() - started < 3000, 'close took too long');
    const handedBack = await fixture.stack.store.get(id);
    assert.deepEqual([handedBack?.status, handedBack?.stages[0]?.steps[0]?.status], ['running', 'running']);
    assert.equal(await (await fixture.stack.service.queue.getJob(id))?.getState(), 'waiting');
    const next = await testWorker(fixture.stack, {
      runner: async (x) => {
        x.sink.append({ stage: '', step: '', stream: 'system', time: 0, text: 'quick' });
        throw new Error('boom');
      },
    });
    try {
      const record = await waitForState(fixture.stack, id, 'error', 'success');
      assert.deepEqual([record?.status, record?.reason], ['error', 'infrastructure']);
    } finally {
      await next.close(1000);
    }
  });

  it('sweeps a running record whose job is gone', async () => {
    const worker = await testWorker(fixture.stack, { sweepGraceMs: 0 });
    try {
      const { id } = await fixture.stack.store.create(local({ ref: 'orphan' }));
      await fixture.stack.store.update(id, (r) => ({ ...r, status: 'running' }));
      assert.equal(await worker.sweep(), 1);
      const record = await fixture.stack.store.get(id);
      assert.deepEqual([record?.status, record?.reason], ['error', 'infrastructure']);
    } finally {
      await worker.close(1000);
    }
  });
});

describe('cancel-in-progress under concurrent requests', () => {
  const fixture = useQueueStack();

  it('keeps the newest of concurrent builds of one branch and cancels the rest', async () => {
    const requests = Array.from({ length: 5 }, (_, i) =>
      fixture.stack.service.request(local({ ref: 'race', sha: `${i}`.repeat(40) })),
    );
    const ids = (await Promise.all(requests)).map((r) => r.id);
    const records = await fixture.stack.store.list({ repo: '/tmp', ref: 'race' });
    const queued = records.filter((r) => r.status === 'queued').map((r) => r.id);
    assert.deepEqual(queued, [records[0]?.id]);
    assert.equal(records.length, ids.length);
  });
});
