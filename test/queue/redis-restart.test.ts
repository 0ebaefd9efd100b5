import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QueueStack } from '../../src/queue/stack.ts';
import { testStack, testWorker, waitForState } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

describe('Redis restarted mid-build', () => {
  let server: TestRedis;
  let stack: QueueStack;

  before(async () => {
    server = await startRedis();
    stack = testStack(server.url);
  });
  after(async () => {
    await stack.close();
    await server.stop();
  });

  it('the running build ends, nothing hangs, and the next build runs', async () => {
    const worker = await testWorker(stack);
    try {
      const request = {
        forge: 'local',
        repo: '/tmp',
        ref: 'main',
        refType: 'branch',
        trigger: 'manual',
      } as const;
      const { id } = await stack.service.request({ ...request, inputs: { sleepMs: '800' }, rerun: false });
      await waitForState(stack, id, 'running');
      await server.restart();
      const until = Date.now() + 15_000;
      while (worker.active() > 0) {
        assert.ok(Date.now() < until, 'the build never ended');
        await new Promise((r) => setTimeout(r, 50));
      }
      const next = await stack.service.request({ ...request, inputs: {}, rerun: true });
      assert.equal((await waitForState(stack, next.id, 'success', 'error'))?.status, 'success');
    } finally {
      await worker.close(2000);
    }
  });
});
