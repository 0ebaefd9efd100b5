import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuildStore } from '../../src/builds/store.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { useRedis } from '../support/redis.ts';
import { pushRequest } from '../support/requests.ts';

describe('BuildStore', () => {
  const fixture = useRedis();
  let n = 0;
  const store = (retentionMs?: number) =>
    new BuildStore({
      redis: fixture.redis,
      keys: redisKeys(`t${n++}`),
      ...(retentionMs ? { retentionMs } : {}),
    });

  it('makes one build for concurrent requests with the same delivery id', async () => {
    const s = store();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.create(pushRequest({ deliveryId: 'd1', sha: `${i}`.padStart(40, 'b') })),
      ),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => !r.joined).length, 1);
  });

  it('joins a queued build of the same commit and environment unless rerun', async () => {
    const s = store();
    const results = await Promise.all(Array.from({ length: 10 }, () => s.create(pushRequest())));
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    const other = await s.create(pushRequest({ environment: 'prod' }));
    assert.notEqual(other.id, results[0]?.id);
    const rerun = await s.create(pushRequest({ rerun: true }));
    assert.equal(rerun.joined, false);
    assert.notEqual(rerun.id, results[0]?.id);
  });

  it('does not join a finished build', async () => {
    const s = store();
    const first = await s.create(pushRequest());
    await s.update(first.id, (r) => ({ ...r, status: 'running' }));
    await s.update(first.id, (r) => ({ ...r, status: 'success' }));
    const second = await s.create(pushRequest());
    assert.equal(second.joined, false);
  });

  it('counts BUILD_REF per repository', async () => {
    const s = store();
    const a1 = await s.create(pushRequest({ sha: '1'.repeat(40) }));
    const a2 = await s.create(pushRequest({ sha: '2'.repeat(40) }));
    const b1 = await s.create(pushRequest({ repo: 'acme/other' }));
    assert.deepEqual(
      await Promise.all([a1, a2, b1].map(async (x) => (await s.get(x.id))?.buildRef)),
      [1, 2, 1],
    );
  });

  it('rejects illegal transitions and keeps final states', async () => {
    const s = store();
    const { id } = await s.create(pushRequest());
    assert.deepEqual((await s.update(id, (r) => ({ ...r, status: 'success' }))).ok, false);
    assert.equal((await s.update(id, (r) => ({ ...r, status: 'running' }))).ok, true);
    assert.equal(await s.isActive(id), true);
    assert.equal((await s.update(id, (r) => ({ ...r, status: 'failed' }))).ok, true);
    assert.equal(await s.isActive(id), false);
    const late = await s.update(id, (r) => ({ ...r, status: 'running' }));
    assert.equal(late.ok, false);
    assert.equal((await s.get(id))?.status, 'failed');
  });

  it('refuses writes from a worker that lost the build to another', async () => {
    const s = store();
    const { id } = await s.create(pushRequest());
    await s.update(id, (r) => ({ ...r, status: 'running' }), { claim: 'worker-1' });
    await s.update(id, (r) => ({ ...r, status: 'running' }), { claim: 'worker-2' });
    const stale = await s.update(id, (r) => ({ ...r, status: 'success' }), { owner: 'worker-1' });
    assert.deepEqual([stale.ok, stale.ok ? '' : stale.why], [false, 'fenced']);
    assert.equal((await s.get(id))?.status, 'running');
    assert.equal((await s.update(id, (r) => ({ ...r, status: 'success' }), { owner: 'worker-2' })).ok, true);
  });

  it('lists newest first per repository and filters by status', async () => {
    const s = store();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.create(pushRequest({ sha: `${i}`.repeat(40) }))).id);
    await s.create(pushRequest({ repo: 'acme/other' }));
    const listed = await s.list({ repo: 'acme/app' });
    assert.deepEqual(
      listed.map((r) => r.id),
      ids.reverse(),
    );
    assert.equal((await s.list({ status: ['success'] })).length, 0);
    assert.equal((await s.list({})).length, 4);
  });

  it('forgets records and history after the retention', async () => {
    const s = store(300);
    const { id } = await s.create(pushRequest());
    assert.ok(await s.get(id));
    await sleep(450);
    assert.equal(await s.get(id), null);
    assert.deepEqual(await s.list({ repo: 'acme/app' }), []);
    assert.deepEqual(await s.list({}), []);
  });
});
