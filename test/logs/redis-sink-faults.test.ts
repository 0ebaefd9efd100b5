import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisLogStore } from '../../src/logs/redis-store.ts';
import { until } from '../support/api-client.ts';
import { startRedis } from '../support/redis.ts';
import { startReplyCuttingProxy } from '../support/reply-cutting-proxy.ts';

const line = (text: string) => ({ stage: 'build', step: 'test', stream: 'stdout' as const, time: 1, text });
const caps = { stepBytes: 1e6, buildBytes: 1e6 };

/** The texts of a build's stored log and whether its end marker is there. */
async function stored(store: RedisLogStore, id: string) {
  const page = await store.read(id, null);
  return { texts: page.entries.map((e) => e.text), ended: page.ended };
}

describe('RedisLogSink when Redis fails under it', () => {
  const closers: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('stores a batch once when its reply was lost and the client sent it again', async () => {
    const server = await startRedis();
    const proxy = await startReplyCuttingProxy(server.port);
    const client = new Redis(`redis://127.0.0.1:${proxy.port}`);
    client.on('error', () => {});
    closers.push(
      () => server.stop(),
      () => proxy.close(),
      () => client.disconnect(),
    );
    const store = new RedisLogStore({ redis: client, retentionMs: 60_000, caps });
    const sink = store.sink('b1');
    sink.append(line('a'));
    sink.append(line('b'));
    await sink.flush();
    proxy.cutNextReply();
    sink.append(line('c'));
    sink.append(line('d'));
    await sink.close();
    assert.equal(proxy.cuts(), 1, 'the reply to the second batch was lost');
    assert.deepEqual(await stored(store, 'b1'), { texts: ['a', 'b', 'c', 'd'], ended: true });
  });

  it('keeps lines through an outage and stores them once Redis is back', async () => {
    const server = await startRedis({ durable: true });
    // Commands fail at once while Redis is away: the sink, not the client, must try again.
    const client = new Redis(server.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    closers.push(
      () => server.stop(),
      () => client.disconnect(),
    );
    const failures: unknown[] = [];
    const lost: number[] = [];
    const store = new RedisLogStore({
      redis: client,
      retentionMs: 60_000,
      caps,
      onError: (error) => failures.push(error),
      onLost: (_id, lines) => lost.push(lines),
    });
    const sink = store.sink('b2');
    sink.append(line('before'));
    await sink.flush();
    await server.kill();
    sink.append(line('during 1'));
    sink.append(line('during 2'));
    await until(async () => failures.length > 0);
    await server.restart();
    await sink.close();
    assert.deepEqual(await stored(store, 'b2'), {
      texts: ['before', 'during 1', 'during 2'],
      ended: true,
    });
    assert.deepEqual(lost, []);
  });

  it('gives up at close after giveUpMs and says how many lines it lost', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    closers.push(
      () => server.stop(),
      () => client.disconnect(),
    );
    const lost: Array<[string, number, string]> = [];
    const store = new RedisLogStore({
      redis: client,
      retentionMs: 60_000,
      caps,
      giveUpMs: 300,
      onLost: (id, lines, why) => lost.push([id, lines, why]),
    });
    const sink = store.sink('b3');
    await server.kill();
    for (const text of ['x', 'y', 'z']) sink.append(line(text));
    await sink.close();
    assert.deepEqual(lost, [['b3', 3, 'closed']]);
  });
});
