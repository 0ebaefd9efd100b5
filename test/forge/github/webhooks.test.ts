import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { MemoryBuilds } from '../../support/memory-builds.ts';
import { failedStages } from '../../support/records.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { type Harness, PUBLIC_URL, startHarness } from './harness.ts';
import { commentPayload, openPr as openPrOn, prPayload, pushPayload, SHA } from './payloads.ts';

let redis: TestRedis;
let builds: MemoryBuilds;
let h: Harness;

before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());
beforeEach(async () => {
  builds = new MemoryBuilds();
  h = await startHarness(
    builds,
    async (_id, key, n) => Array.from({ length: n }, (_, i) => `${key.step} says ${i}`),
    redis,
  );
  await h.redis.flushall();
  for (const sha of [SHA, 'b'.repeat(40)])
    h.fake.addFile(sha, '.wharf-ci.yml', 'build:\n  unit:\n    container:\n      image: alpine\n');
});
afterEach(async () => {
  assert.deepEqual(h.fake.unexpected, [], 'no unexpected GitHub API requests');
  assert.deepEqual(h.fake.refused, [], 'nothing GitHub would refuse');
  await h.stop();
});

const openPr = (sha: string, fork: boolean, author = 'stranger') => openPrOn(h.fake, sha, fork, author);

test('a push queues a build: pending "queued" → success, with the build page as target_url', async () => {
  assert.equal(await h.deliver('push', pushPayload()), 200);
  await h.settle();
  const record = builds.records[0]!;
  assert.equal(builds.records.length, 1);
  assert.equal(record.request.trigger, 'push');
  assert.equal(record.request.installationId, 42);
  Object.assign(record, {
    status: 'success',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:09Z',
  });
  await h.plugin.adapter.reporter.report(record);
  assert.deepEqual(
    h.fake.statuses.map((s) => [s.sha, s.state, s.context, s.description, s.target_url]),
    [
      [SHA, 'pending', 'berth', 'queued', `${PUBLIC_URL}/builds/${record.id}`],
      [SHA, 'success', 'berth', 'passed in 9s', `${PUBLIC_URL}/builds/${record.id}`],
    ],
  );
  const [run] = h.fake.checkRuns.values();
  assert.equal(run?.status, 'completed');
  assert.equal(run?.conclusion, 'success');
  assert.equal(run?.head_sha, SHA);
});

test('the webhook is answered before any GitHub API work is done', async () => {
  let release = () => {};
  h.fake.gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  assert.equal(await h.deliver('push', pushPayload()), 200);
  assert.equal(builds.records.length, 0, 'nothing decided yet: the policy waits on the API');
  h.fake.gate = null;
  release();
  await h.settle();
  assert.equal(builds.records.length, 1);
});

test('a bad signature is refused with 401 and nothing is queued', async () => {
  assert.equal(await h.deliver('push', pushPayload(), { secret: 'wrong' }), 401);
  await h.settle();
  assert.equal(builds.records.length, 0);
  assert.equal(h.fake.requests.length, 0);
});

test('a redelivered delivery id makes no second build', async () => {
  await h.deliver('push', pushPayload(), { id: 'same-guid' });
  await h.settle();
  builds.finish(builds.records[0]!.id, 'success');
  assert.equal(await h.deliver('push', pushPayload(), { id: 'same-guid' }), 200);
  await h.settle();
  assert.equal(builds.records.length, 1);
});

test('[skip ci] builds nothing and says so in a status', async () => {
  await h.deliver('push', pushPayload(SHA, 'docs [skip ci]'));
  await h.settle();
  assert.equal(builds.records.length, 0);
  assert.deepEqual(
    h.fake.statuses.map((s) => s.description),
    ['skipped: [skip ci]'],
  );
});

test('a failing step gives a failure status and one comment with its log tail; a second failure edits it', async () => {
  h.fake.permissions.set('dev', 'write');
  await h.deliver('pull_request', prPayload('opened', SHA, false, 'dev'));
  await h.settle();
  const first = builds.records[0]!;
  assert.equal(first.request.change, 5);
  Object.assign(first, { status: 'failed', stages: failedStages() });
  await h.plugin.adapter.reporter.report(first);
  assert.equal(h.fake.statuses.at(-1)?.state, 'failure');
  assert.equal(h.fake.statuses.at(-1)?.description, 'failed: test/unit exited 1');
  const comments = h.fake.comments.get(5) ?? [];
  assert.equal(comments.length, 1);
  assert.match(comments[0]!.body, /unit says 29/);

  h.fake.permissions.set('dev', 'write');
  openPr(SHA, false, 'dev');
  await h.deliver('issue_comment', commentPayload('/retest', 'dev'));
  await h.settle();
  const second = builds.records[0]!;
  assert.notEqual(second.id, first.id);
  Object.assign(second, { status: 'failed', stages: failedStages(), createdAt: '2030-01-01T00:00:00Z' });
  await h.plugin.adapter.reporter.report(second);
  assert.equal(h.fake.comments.get(5)?.length, 1);
  assert.ok(
    h.fake.requests.some(
      (r) => r.method === 'PATCH' && r.path.startsWith('/repos/acme/app/issues/comments/'),
    ),
  );
});

test('/retest from a reader is refused with one short reply', async () => {
  openPr(SHA, false, 'dev');
  h.fake.permissions.set('reader', 'read');
  await h.deliver('issue_comment', commentPayload('/retest', 'reader'));
  await h.deliver('issue_comment', commentPayload('/retest', 'reader'));
  await h.settle();
  assert.equal(builds.records.length, 0);
  const replies = h.fake.comments.get(5) ?? [];
  assert.equal(replies.length, 1);
  assert.match(replies[0]!.body, /only collaborators with write access/);
});

test('a fork PR waits, runs after /ok-to-test, and waits again after a new push', async () => {
  h.fake.permissions.set('maintainer', 'admin');
  await h.deliver('pull_request', prPayload('opened', SHA, true));
  await h.settle();
  assert.equal(builds.records.length, 0);
  assert.match(h.fake.statuses.at(-1)?.description ?? '', /^waiting for approval/);

  openPr(SHA, true);
  await h.deliver('issue_comment', commentPayload('/ok-to-test', 'maintainer'));
  await h.settle();
  assert.equal(builds.records.length, 1);
  assert.equal(builds.records[0]?.request.headRepo, 'stranger/app');
  assert.equal(h.fake.statuses.at(-1)?.description, 'queued');

  const next = 'b'.repeat(40);
  await h.deliver('pull_request', prPayload('synchronize', next, true));
  await h.settle();
  assert.equal(builds.records.length, 1);
  assert.deepEqual([h.fake.statuses.at(-1)?.sha, h.fake.statuses.at(-1)?.state], [next, 'pending']);
  assert.match(h.fake.statuses.at(-1)?.description ?? '', /^waiting for approval/);
});

test('/ok-to-test does not approve a push that raced the comment', async () => {
  h.fake.permissions.set('maintainer', 'admin');
  await h.deliver('pull_request', prPayload('opened', SHA, true));
  await h.settle();
  const pushed = 'c'.repeat(40);
  openPr(pushed, true); // on GitHub already; its synchronize delivery is still on its way
  await h.deliver('issue_comment', commentPayload('/ok-to-test', 'maintainer'));
  await h.settle();
  assert.equal(builds.records.length, 0);
  const replies = h.fake.comments.get(5) ?? [];
  assert.match(replies.at(-1)?.body ?? '', /moved to `cccccccccccc` after your comment/);
  await h.deliver('pull_request', prPayload('synchronize', pushed, true));
  await h.settle();
  assert.equal(builds.records.length, 0, 'the pushed head waits for its own approval');
  await h.deliver('issue_comment', commentPayload('/ok-to-test cccccccc', 'maintainer'));
  await h.settle();
  assert.equal(builds.records[0]?.request.sha, pushed);
});

test('closing a PR cancels its running build', async () => {
  h.fake.permissions.set('dev', 'write');
  await h.deliver('pull_request', prPayload('opened', SHA, false, 'dev'));
  await h.settle();
  builds.records[0]!.status = 'running';
  await h.deliver('pull_request', prPayload('closed', SHA, false, 'dev'));
  await h.settle();
  assert.equal(builds.records[0]?.status, 'cancelled');
  assert.deepEqual(
    builds.cancelled.map((c) => c.filter.change),
    [5],
  );
});

test('an invalid .wharf-ci.yml gives a failure status and a comment listing line:col', async () => {
  h.fake.permissions.set('dev', 'write');
  await h.deliver('pull_request', prPayload('opened', SHA, false, 'dev'));
  await h.settle();
  const record = builds.records[0]!;
  const message =
    '.wharf-ci.yml:4:7: error: unknown step type "dockr"\n.wharf-ci.yml:9:3: error: missing "image"';
  Object.assign(record, { status: 'failed', reason: 'config', message });
  await h.plugin.adapter.reporter.report(record);
  assert.equal(h.fake.statuses.at(-1)?.state, 'failure');
  const body = h.fake.comments.get(5)?.[0]?.body ?? '';
  assert.match(body, /`\.wharf-ci\.yml:4:7` error: unknown step type "dockr"/);
  assert.match(body, /`\.wharf-ci\.yml:9:3` error: missing "image"/);
});

test('without checks: write, builds report through statuses only', async () => {
  h.fake.checksStatus = 403;
  await h.deliver('push', pushPayload());
  await h.settle();
  const record = builds.records[0]!;
  record.status = 'success';
  await h.plugin.adapter.reporter.report(record);
  assert.equal(h.fake.statuses.at(-1)?.state, 'success');
  assert.equal(h.fake.requests.filter((r) => r.path.includes('check-runs')).length, 1);
});

test('reports racing for a new build create one check run and end completed', async () => {
  await h.deliver('push', pushPayload());
  await h.settle();
  const base = { ...builds.records[0]!, id: 'race' };
  const report = h.plugin.adapter.reporter.report;
  await Promise.all([report({ ...base, status: 'queued' }), report({ ...base, status: 'running' })]);
  await report({ ...base, status: 'success' });
  const creates = h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/check-runs'));
  assert.equal(creates.filter((r) => r.body?.external_id === 'race').length, 1);
  const run = h.fake.checkRunOf('race');
  assert.equal(run?.conclusion, 'success');
});

test('a push of a commit without .wharf-ci.yml queues nothing and says why', async () => {
  await h.deliver('push', pushPayload('d'.repeat(40)));
  await h.settle();
  assert.equal(builds.records.length, 0);
  assert.deepEqual(
    h.fake.statuses.map((s) => [s.state, s.description]),
    [['success', 'no .wharf-ci.yml at this commit: nothing to build']],
  );
});

test('the summary comment never edits somebody else’s comment carrying the marker', async () => {
  h.fake.permissions.set('dev', 'write');
  h.fake.comments.set(5, [
    { id: 1, body: '<!-- berth:summary --> mine', user: { login: 'mallory', type: 'User' } },
  ]);
  await h.deliver('pull_request', prPayload('opened', SHA, false, 'dev'));
  await h.settle();
  const record = builds.records[0]!;
  Object.assign(record, { status: 'failed', stages: failedStages() });
  await h.plugin.adapter.reporter.report(record);
  const comments = h.fake.comments.get(5) ?? [];
  assert.equal(comments.length, 2);
  assert.equal(comments[0]?.body, '<!-- berth:summary --> mine');
  assert.equal(comments[1]?.user.login, 'berth[bot]');
});
