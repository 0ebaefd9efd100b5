import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueDepthSampler } from '../../src/queue/depth.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
let connection: Redis;
let queue: Queue;

before(async () => {
  redis = await startRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  queue = new Queue('depth-test', { connection });
  queue.on('error', () => {});
});
after(async () => {
  await queue.close();
  connection.disconnect();
  await redis.stop();
});

test('counts waiting jobs, serves a recent count from memory, gives up on a Redis that is gone', async () => {
  let now = 0;
  const sample = queueDepthSampler(queue, { maxAgeMs: 5000, timeoutMs: 300, now: () => now });
  assert.equal(await sample(), 0);
  await queue.add('build', {}, { jobId: 'one' });
  await queue.add('build', {}, { jobId: 'two' });
  assert.equal(await sample(), 0, 'cached for maxAgeMs');
  now = 5000;
  assert.equal(await sample(), 2);
  await redis.kill();
  now = 10_000;
  const started = Date.now();
  assert.equal(await sample(), null);
  assert.ok(Date.now() - started < 2000);
  await redis.restart();
});
