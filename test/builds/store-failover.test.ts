// A build the API answered for survives a failover: with replicas wanted (Sentinel), a
// create whose replication was not confirmed is checked, and made again only if lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { BuildStore } from '../../src/builds/store.ts';
import { ReplicatedWrites } from '../../src/redis/replicated.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { cutWaitingConnection, startRedis, type TestRedis } from '../support/redis.ts';
import { pushRequest } from '../support/requests.ts';

describe('BuildStore with replicas wanted', () => {
  let primary: TestRedis;
  let redis: Redis;
  let writes: ReplicatedWrites;
  before(async () => {
    primary = await startRedis();
    redis = new Redis(primary.url);
    // No replica: every WAIT blocks its whole timeout, long enough to cut it.
    writes = new ReplicatedWrites({ redis, wait: { replicas: 1, timeoutMs: 5_000 } });
  });
  after(async () => {
    writes.close();
    redis.disconnect();
    await primary.stop();
  });

  it('a create whose WAIT was cut returns the build it made, once', async () => {
    const store = new BuildStore({ redis, writes, keys: redisKeys('failover') });
    const created = store.create(pushRequest({ rerun: true }));
    await cutWaitingConnection(redis);
    const { id, joined } = await created;
    assert.equal(joined, false);
    assert.equal((await store.get(id))?.status, 'queued');
    const all = await store.list({});
    assert.deepEqual(
      all.map((r) => r.id),
      [id],
      'one build, not a second made on retry',
    );
  });
});
