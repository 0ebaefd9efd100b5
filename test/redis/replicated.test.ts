import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ReplicatedWrites, UnconfirmedWriteError } from '../../src/redis/replicated.ts';
import { until } from '../support/api-client.ts';
import { cutWaitingConnection, startRedis } from '../support/redis.ts';

const INCR = "return redis.call('INCR', KEYS[1])";

describe('ReplicatedWrites', () => {
  const closers: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('goes on without a replica, says so, and waits again once one acknowledges', async () => {
    const primary = await startRedis();
    const redis = new Redis(primary.url);
    const events: string[] = [];
    const writes = new ReplicatedWrites({
      redis,
      wait: { replicas: 1, timeoutMs: 200 },
      onDegraded: (acked) => events.push(`degraded ${acked}`),
      onRecovered: () => events.push('recovered'),
    });
    closers.push(
      () => primary.stop(),
      () => redis.disconnect(),
      () => writes.close(),
    );
    assert.equal(await writes.eval(INCR, ['n'], []), 1);
    assert.equal(await writes.eval(INCR, ['n'], []), 2);
    assert.deepEqual(events, ['degraded 0'], 'said once');
    const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    closers.push(() => replica.stop());
    await until(async () => /state=online/.test(await redis.info('replication')));
    // While degraded each write looks (10 ms) whether a replica is back.
    let last = 0;
    await until(async () => {
      last = Number(await writes.eval(INCR, ['n'], []));
      return events.includes('recovered');
    });
    assert.deepEqual(events, ['degraded 0', 'recovered']);
    const copy = new Redis(replica.url);
    closers.push(() => copy.disconnect());
    assert.equal(await copy.get('n'), String(last), 'the replica had the write when it counted as stored');
  });

  it('a write whose WAIT was cut off is reported unconfirmed, with what the write answered', async () => {
    const primary = await startRedis();
    const redis = new Redis(primary.url);
    const writes = new ReplicatedWrites({ redis, wait: { replicas: 1, timeoutMs: 1500 } });
    closers.push(
      () => primary.stop(),
      () => redis.disconnect(),
      () => writes.close(),
    );
    const write = writes.eval(INCR, ['m'], []);
    const rejected = assert.rejects(write, (error: unknown) => {
      assert.ok(error instanceof UnconfirmedWriteError);
      assert.equal(error.value, 1);
      return true;
    });
    // The connection drops while its WAIT blocks (no replica): the client sends WAIT again
    // on a new connection, which says nothing about the write made on the old one.
    await cutWaitingConnection(redis);
    await rejected;
  });
});
