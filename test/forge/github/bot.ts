import assert from 'node:assert/strict';
import { createWorkerRuntime } from '../../../src/app/worker-runtime.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { quietLogger, testStack, testWorker } from '../../support/queue-harness.ts';
import { startRedis } from '../../support/redis.ts';
import { startHarness } from './harness.ts';

/**
 * The bot end to end: a private Redis, the queue, the GitHub harness (signed webhooks,
 * fake API) and a worker running pipelines on the local runtime. `stop` also checks
 * that GitHub saw no unexpected or refused request.
 */
export async function startGithubBot() {
  const redis = await startRedis();
  const stack = testStack(redis.url);
  const h = await startHarness(stack.service, (id, key, n) => stack.logs.stepTail(id, key, n), redis);
  const { runner } = await createWorkerRuntime(
    loadConfig({ BERTH_RUNTIME: 'local' }),
    quietLogger,
    { PATH: process.env.PATH, HOME: process.env.HOME },
    (id) => stack.store.isActive(id),
  );
  const worker = await testWorker(stack, { adapters: { github: h.plugin.adapter }, runner });
  return {
    stack,
    h,
    async stop() {
      assert.deepEqual(h.fake.unexpected, [], 'no unexpected GitHub API requests');
      assert.deepEqual(h.fake.refused, [], 'nothing GitHub would refuse');
      await worker.close(10_000);
      await h.stop();
      await stack.close();
      await redis.stop();
    },
  };
}
