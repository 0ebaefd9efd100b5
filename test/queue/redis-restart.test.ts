import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testWorker, useQueueStack, waitForState } from '../support/queue-harness.ts';

describe('Redis restarted mid-build', () => {
  const fixture = useQueueStack();

  it('the running build ends, nothing hangs, and the next build runs', async () => {
    const worker = await testWorker(fixture.stack);
    try {
      const request = {
        forge: 'local',
        repo: '/tmp',
        ref: 'main',
        refType: 'branch',
        trigger: 'manual',
      } as const;
      const { id } = await fixture.stack.service.request({
        ...request,
        inputs: { sleepMs: '800' },
        rerun: false,
      });
      await waitForState(fixture.stack, id, 'running');
      await fixture.server.restart();
      const until = Date.now() + 15_000;
      while (worker.active() > 0) {
        assert.ok(Date.now() < until, 'the build never ended');
        await new Promise((r) => setTimeout(r, 50));
      }
      const next = await fixture.stack.service.request({ ...request, inputs: {}, rerun: true });
      assert.equal((await waitForState(fixture.stack, next.id, 'success', 'error'))?.status, 'success');
    } finally {
      await worker.close(2000);
    }
  });
});
