import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createDurableDispatcher } from '../../../src/forge/durable-dispatcher.ts';
import { MemoryBuilds } from '../../support/memory-builds.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { PUBLIC_URL, startHarness } from './harness.ts';
import { pushPayload, SHA } from './payloads.ts';

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

const PIPELINE = 'build:\n  unit:\n    container:\n      image: alpine\n';

test('a delivery accepted while no events worker runs is handled by the next process, once', async () => {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  // The first process stores deliveries but never handles them (it "dies" before it could).
  const stopped = createDurableDispatcher({ connection, logger: pino({ level: 'silent' }) });
  const first = await startHarness(new MemoryBuilds(), undefined, redis, { dispatcher: stopped });
  try {
    assert.equal(await first.deliver('push', pushPayload(), { id: 'durable-1' }), 200);
    assert.equal(await first.deliver('push', pushPayload(), { id: 'durable-1' }), 200, 'redelivered');
    assert.equal(first.fake.statuses.length, 0, 'nothing handled yet');
  } finally {
    await first.stop();
    connection.disconnect();
  }

  const builds = new MemoryBuilds();
  const second = await startHarness(builds, undefined, redis);
  try {
    second.fake.addFile(SHA, '.wharf-ci.yml', PIPELINE);
    await second.settle();
    assert.equal(builds.records.length, 1);
    const record = builds.records[0]!;
    assert.equal(record.request.deliveryId, 'durable-1');
    assert.deepEqual(
      second.fake.statuses.map((s) => [s.sha, s.state, s.description, s.target_url]),
      [[SHA, 'pending', 'queued', `${PUBLIC_URL}/builds/${record.id}`]],
      'handled once: one status',
    );
    assert.equal(await second.deliver('push', pushPayload(), { id: 'durable-1' }), 200);
    await second.settle();
    assert.equal(second.fake.statuses.length, 1, 'a later redelivery is not handled again');
  } finally {
    await second.stop();
  }
});

test('answers 503 when Redis cannot store the delivery', async () => {
  const own = await startRedis();
  const connection = new Redis(own.url, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  const dispatcher = createDurableDispatcher({
    connection,
    logger: pino({ level: 'silent' }),
    enqueueTimeoutMs: 300,
  });
  const h = await startHarness(new MemoryBuilds(), undefined, own, { dispatcher });
  try {
    await own.kill();
    assert.equal(await h.deliver('push', pushPayload(), { id: 'down-1' }), 503);
  } finally {
    await own.restart();
    await h.stop();
    connection.disconnect();
    await own.stop();
  }
});
