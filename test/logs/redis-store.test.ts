import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type FollowedBatch, RedisLogStore, type StoredLogEntry } from '../../src/logs/redis-store.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { startRedis, useRedis } from '../support/redis.ts';

const line = (text: string, step = 'test') => ({
  stage: 'build',
  step,
  stream: 'stdout' as const,
  time: Date.now(),
  text,
});

describe('RedisLogStore', () => {
  const fixture = useRedis();
  const store = (caps = { stepBytes: 1e6, buildBytes: 1e6 }, retentionMs = 60_000) =>
    new RedisLogStore({
      redis: fixture.redis,
      keys: redisKeys(`t${Math.random()}`),
      retentionMs,
      caps,
      blockMs: 200,
    });

  it('stores lines in order and reads a tail and from an id', async () => {
    const s = store();
    const sink = s.sink('b1');
    for (let i = 0; i < 1000; i++) sink.append(line(`line ${i}`));
    await sink.flush();
    const tail = await s.tail('b1', 3);
    assert.deepEqual(
      tail.entries.map((e) => e.text),
      ['line 997', 'line 998', 'line 999'],
    );
    const first = await s.read('b1', null, 2);
    const next = await s.read('b1', first.entries[1]?.id ?? null, 1);
    assert.deepEqual(
      [...first.entries, ...next.entries].map((e) => e.text),
      ['line 0', 'line 1', 'line 2'],
    );
  });

  it('caps a step and the build, saying so once', async () => {
    const s = store({ stepBytes: 30, buildBytes: 50 });
    const sink = s.sink('b2');
    for (let i = 0; i < 10; i++) sink.append(line(`aaaaaaaaa${i}`, 'one'));
    for (let i = 0; i < 10; i++) sink.append(line(`bbbbbbbbb${i}`, 'two'));
    await sink.close();
    const page = await s.read('b2', null);
    assert.deepEqual(
      page.entries.map((e) => `${e.step}:${e.stream}:${e.text}`),
      [
        'one:stdout:aaaaaaaaa0',
        'one:stdout:aaaaaaaaa1',
        "one:system:log truncated: this step's log reached 30 bytes",
        'two:stdout:bbbbbbbbb0',
        'two:stdout:bbbbbbbbb1',
        "two:system:log truncated: the build's log reached 50 bytes",
      ],
    );
    assert.equal(page.ended, true);
  });

  it('follows live until the end marker, resuming after an id', async () => {
    const s = store();
    const sink = s.sink('b3');
    sink.append(line('before'));
    await sink.flush();
    const seen: StoredLogEntry[] = [];
    const following = (async () => {
      for await (const batch of s.follow('b3', { after: null, signal: AbortSignal.timeout(5000) }))
        seen.push(...batch.entries);
    })();
    await sleep(50);
    sink.append(line('during'));
    await sink.close();
    await following;
    assert.deepEqual(
      seen.map((e) => e.text),
      ['before', 'during'],
    );
    const resumed: string[] = [];
    for await (const batch of s.follow('b3', {
      after: seen[0]?.id ?? null,
      signal: AbortSignal.timeout(5000),
    })) {
      resumed.push(...batch.entries.map((e) => e.text));
    }
    assert.deepEqual(resumed, ['during']);
  });

  it('stops following when the signal aborts', async () => {
    const s = store();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    for await (const _ of s.follow('never', { after: null, signal: controller.signal }))
      assert.fail('no lines');
    assert.ok(Date.now() - started < 2000);
  });

  it('ends a follow when the build is done without a marker', async () => {
    const s = store();
    const lines: string[] = [];
    const signal = AbortSignal.timeout(5000);
    for await (const batch of s.follow('gone', { after: null, signal, isDone: async () => true }))
      lines.push(...batch.entries.map((e) => e.text));
    assert.equal(signal.aborted, false);
  });

  it('expires a log with the retention', async () => {
    const s = store(undefined, 200);
    const sink = s.sink('b4');
    sink.append(line('x'));
    await sink.flush();
    await sleep(350);
    assert.deepEqual((await s.read('b4', null)).entries, []);
  });

  it('follows logs stored before one-field lines, and never puts a raw newline on the wire', async () => {
    const s = store();
    const key = s.key('b9');
    await fixture.redis.xadd(key, '*', 'g', 'build', 'p', 'old', 'o', 'stdout', 't', '1', 'x', 'five fields');
    await fixture.redis.xadd(key, '*', 'l', '["build","odd","stdout",2,"a\\nb"]\n');
    const sink = s.sink('b9');
    sink.append(line('one field'));
    await sink.close();
    const batches: FollowedBatch[] = [];
    for await (const batch of s.follow('b9', { after: null, signal: AbortSignal.timeout(5000) }))
      batches.push(batch);
    const wire = batches.map((b) => b.wire()).join('');
    assert.ok(!/[\r\n]/.test(wire));
    assert.deepEqual(
      batches.flatMap((b) => JSON.parse(b.wire()).map((l: string[]) => `${l[1]}:${l[4]}`)),
      ['old:five fields', 'odd:a\nb', 'test:one field'],
    );
    assert.deepEqual(
      batches.flatMap((b) => b.entries.map((e) => e.text)),
      ['five fields', 'a\nb', 'one field'],
    );
  });
});

describe('RedisLogStore.stepTail', () => {
  it('returns the last lines of one step only', async () => {
    const server = await startRedis();
    const redis = new Redis(server.url);
    try {
      const s = new RedisLogStore({ redis, retentionMs: 60_000, caps: { stepBytes: 1e7, buildBytes: 1e7 } });
      const sink = s.sink('b');
      for (let i = 0; i < 2500; i++) sink.append(line(`a${i}`, i % 2 === 0 ? 'one' : 'two'));
      await sink.flush();
      assert.deepEqual(await s.stepTail('b', { stage: 'build', step: 'one' }, 3), [
        'a2494',
        'a2496',
        'a2498',
      ]);
      assert.equal((await s.stepTail('b', { stage: 'build', step: 'two' }, 5000)).length, 1250);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
