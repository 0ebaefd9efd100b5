import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { handleForgeEvent } from '../../../src/forge/policy/index.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { change, comment, push, repo, setup, sha } from './helpers.ts';

let redis: TestRedis;
let ctx: Awaited<ReturnType<typeof setup>>;
before(async () => {
  redis = await startRedis();
});
beforeEach(async () => {
  ctx?.redis.disconnect();
  ctx = await setup(redis.url);
});
after(async () => {
  ctx?.redis.disconnect();
  await redis.stop();
});

test('a push builds its sha; a branch delete builds nothing', async () => {
  const built = await handleForgeEvent(push(sha('a1')), ctx.deps);
  assert.equal(built.action, 'build');
  assert.equal(ctx.builds.records[0]?.request.trigger, 'push');
  assert.equal((await handleForgeEvent(push(null), ctx.deps)).action, 'ignore');
  assert.equal(ctx.builds.records.length, 1);
});

test('[skip ci] in any case builds nothing and says so in a status', async () => {
  const result = await handleForgeEvent(push(sha('a2'), 'docs [CI Skip]'), ctx.deps);
  assert.equal(result.action, 'skip');
  assert.equal(ctx.builds.records.length, 0);
  assert.deepEqual(
    ctx.forge.statuses.map((s) => [s.sha, s.state, s.description]),
    [[sha('a2'), 'success', 'skipped: [skip ci]']],
  );
  ctx.forge.permissions.set('bob', 'write');
  assert.equal((await handleForgeEvent(change('opened', sha('a2'), 'bob', false), ctx.deps)).action, 'skip');
});

test('a redelivered delivery id is handled once', async () => {
  const event = push(sha('a3'));
  await handleForgeEvent(event, ctx.deps);
  assert.equal((await handleForgeEvent(event, ctx.deps)).action, 'duplicate');
  assert.equal(ctx.builds.records.length, 1);
});

test('a push to the head of an open PR and the PR event make one change build', async () => {
  ctx.forge.permissions.set('alice', 'write');
  ctx.forge.changes.set(5, {
    change: 5,
    sha: sha('h1'),
    ref: 'feature',
    state: 'open',
    fork: null,
    author: 'alice',
  });
  await handleForgeEvent(push(sha('h1'), 'wip', 'feature'), ctx.deps);
  ctx.builds.finish(ctx.builds.records[0]!.id, 'success');
  const second = await handleForgeEvent(change('updated', sha('h1'), 'alice', false), ctx.deps);
  assert.equal(second.action, 'duplicate');
  assert.equal(ctx.builds.records.length, 1);
  assert.equal(ctx.builds.records[0]?.request.change, 5);
});

test('a fork PR waits, runs after /ok-to-test from a writer, and waits again after a push', async () => {
  ctx.forge.permissions.set('maintainer', 'admin');
  const opened = await handleForgeEvent(change('opened', sha('s1'), 'stranger'), ctx.deps);
  assert.equal(opened.action, 'hold');
  assert.equal(ctx.forge.statuses.at(-1)?.description.startsWith('waiting for approval'), true);
  assert.equal(ctx.builds.records.length, 0);

  ctx.forge.changes.set(5, {
    change: 5,
    sha: sha('s1'),
    ref: 'feature',
    state: 'open',
    fork: { forge: 'github', repo: 'stranger/app' },
    author: 'stranger',
  });
  const ok = await handleForgeEvent(comment('/ok-to-test', 'maintainer'), ctx.deps);
  assert.equal(ok.action, 'build');
  assert.equal(ctx.builds.records[0]?.request.headRepo, 'stranger/app');

  const held = await handleForgeEvent(change('updated', sha('s2'), 'stranger'), ctx.deps);
  assert.equal(held.action, 'hold');
  assert.equal(ctx.builds.records.length, 1);
  assert.equal(ctx.builds.records[0]?.status, 'cancelled', 'the approved sha is superseded');
});

test('/ok-to-test approves only the head as it was when the comment was written', async () => {
  ctx.forge.permissions.set('maintainer', 'admin');
  await handleForgeEvent(change('opened', sha('s1'), 'stranger'), ctx.deps);
  const pr = (head: string) => ({
    change: 5,
    sha: head,
    ref: 'feature',
    state: 'open' as const,
    fork: { forge: 'github' as const, repo: 'stranger/app' },
    author: 'stranger',
  });
  // The stranger pushes s2 while the maintainer writes the comment about s1; the
  // comment is handled before Berth hears of the push.
  ctx.forge.changes.set(5, pr(sha('s2')));
  const raced = await handleForgeEvent(comment('/ok-to-test', 'maintainer'), ctx.deps);
  assert.equal(raced.action, 'build');
  assert.equal(ctx.builds.records.length, 0, 'nothing built');
  assert.equal(await ctx.deps.store.approvedSha(repo, 5), null, 'nothing approved');
  const reply = [...ctx.forge.comments.values()].at(-1)?.body ?? '';
  assert.match(reply, /moved to `[0-9a-f]{12}` after your comment; nothing was approved/);
  const held = await handleForgeEvent(change('updated', sha('s2'), 'stranger'), ctx.deps);
  assert.equal(held.action, 'hold', 'the pushed head still waits');

  // A comment written before Berth knew s2 as the head does not approve it either.
  const early = {
    ...comment('/ok-to-test', 'maintainer'),
    writtenAt: new Date(Date.now() - 60_000).toISOString(),
  };
  await handleForgeEvent(early, ctx.deps);
  assert.equal(ctx.builds.records.length, 0);

  // Naming a commit approves that commit only while it is the head.
  await handleForgeEvent(comment(`/ok-to-test ${sha('s1').slice(0, 10)}`, 'maintainer'), ctx.deps);
  assert.equal(ctx.builds.records.length, 0, 's1 is no longer the head');
  await handleForgeEvent(comment(`/ok-to-test ${sha('s2').slice(0, 10)}`, 'maintainer'), ctx.deps);
  assert.equal(ctx.builds.records.length, 1);
  assert.equal(ctx.builds.records[0]?.request.sha, sha('s2'));
  assert.equal(await ctx.deps.store.approvedSha(repo, 5), sha('s2'));
});

test('/ok-to-test on GitLab approves the head the note carries, not a newer one', async () => {
  ctx.forge.permissions.set('maintainer', 'admin');
  await handleForgeEvent(change('opened', sha('g1'), 'stranger'), ctx.deps);
  ctx.forge.changes.set(5, {
    change: 5,
    sha: sha('g2'),
    ref: 'feature',
    state: 'open',
    fork: { forge: 'github', repo: 'stranger/app' },
    author: 'stranger',
  });
  await handleForgeEvent({ ...comment('/ok-to-test', 'maintainer'), sha: sha('g1') }, ctx.deps);
  assert.equal(ctx.builds.records.length, 0);
  await handleForgeEvent({ ...comment('/ok-to-test', 'maintainer'), sha: sha('g2') }, ctx.deps);
  assert.equal(ctx.builds.records[0]?.request.sha, sha('g2'));
});

test('commands from readers get one reply per PR; bots and plain comments are ignored', async () => {
  ctx.forge.permissions.set('reader', 'read');
  assert.equal((await handleForgeEvent(comment('/retest', 'reader'), ctx.deps)).action, 'refuse');
  assert.equal((await handleForgeEvent(comment('/test', 'reader'), ctx.deps)).action, 'refuse');
  assert.equal(ctx.forge.comments.size, 1);
  assert.equal([...ctx.forge.comments.values()][0]?.edits, 0);
  assert.equal(
    (await handleForgeEvent({ ...comment('/test', 'x'), fromBot: true }, ctx.deps)).action,
    'ignore',
  );
  assert.equal((await handleForgeEvent(comment('nice', 'reader'), ctx.deps)).action, 'ignore');
  assert.equal(ctx.builds.records.length, 0);
});

test('permissions are cached briefly', async () => {
  ctx.forge.permissions.set('reader', 'read');
  await handleForgeEvent(comment('/retest', 'reader'), ctx.deps);
  await handleForgeEvent(comment('/retest', 'reader'), ctx.deps);
  assert.equal(ctx.forge.permissionCalls, 1);
});

test('/retest reruns only failed builds of the head; /test reruns regardless; /cancel cancels', async () => {
  ctx.forge.permissions.set('dev', 'write');
  ctx.forge.changes.set(5, {
    change: 5,
    sha: sha('r1'),
    ref: 'feature',
    state: 'open',
    fork: null,
    author: 'dev',
  });
  const first = await handleForgeEvent(comment('/retest', 'dev'), ctx.deps);
  assert.equal(first.builds.length, 1, 'nothing ran yet: builds it');
  ctx.builds.finish(first.builds[0]!, 'success');
  assert.equal((await handleForgeEvent(comment('/retest', 'dev'), ctx.deps)).builds.length, 0);
  const test2 = await handleForgeEvent(comment('/test', 'dev'), ctx.deps);
  ctx.builds.finish(test2.builds[0]!, 'failed');
  const retest = await handleForgeEvent(comment('/retest', 'dev'), ctx.deps);
  assert.equal(retest.builds.length, 1);
  assert.equal(ctx.builds.records[0]?.request.trigger, 'retest');
  assert.equal(ctx.builds.records[0]?.request.change, 5, 'reruns from a PR comment report on the PR');
  const cancel = await handleForgeEvent(comment('/cancel', 'dev'), ctx.deps);
  assert.deepEqual(cancel.builds, retest.builds);
});

test('commands on a closed PR are refused; closing a PR cancels its builds', async () => {
  ctx.forge.permissions.set('dev', 'write');
  assert.equal((await handleForgeEvent(comment('/test', 'dev', 'closed'), ctx.deps)).action, 'refuse');
  await handleForgeEvent(change('opened', sha('c1'), 'dev', false), ctx.deps);
  const closed = await handleForgeEvent(change('closed', sha('c1'), 'dev', false), ctx.deps);
  assert.equal(closed.action, 'cancel');
  assert.equal(ctx.builds.records[0]?.status, 'cancelled');
});

test('a rerun button press reruns the named context for trusted users only', async () => {
  ctx.forge.permissions.set('dev', 'write');
  await handleForgeEvent(push(sha('q1')), ctx.deps);
  ctx.builds.finish(ctx.builds.records[0]!.id, 'failed');
  const base = {
    kind: 'rerun' as const,
    repo: push(sha('q1')).repo,
    sha: sha('q1'),
    ref: 'main',
    changes: [],
    context: 'berth',
  };
  const denied = await handleForgeEvent({ ...base, deliveryId: 'r-1', actor: 'nobody' }, ctx.deps);
  assert.equal(denied.action, 'refuse');
  const rerun = await handleForgeEvent({ ...base, deliveryId: 'r-2', actor: 'dev' }, ctx.deps);
  assert.equal(rerun.builds.length, 1);
  assert.equal(ctx.builds.records[0]?.request.trigger, 'rerequested');
});

test('a commit without .wharf-ci.yml builds nothing and a status says why', async () => {
  ctx.forge.withoutPipeline.add(sha('n1'));
  const result = await handleForgeEvent(push(sha('n1')), ctx.deps);
  assert.equal(result.action, 'skip');
  assert.equal(ctx.builds.records.length, 0);
  assert.deepEqual(
    ctx.forge.statuses.map((s) => [s.state, s.description]),
    [['success', 'no .wharf-ci.yml at this commit: nothing to build']],
  );
});

test('/retest of a failed push build on a PR head reruns it as the PR’s build', async () => {
  ctx.forge.permissions.set('dev', 'write');
  await handleForgeEvent(push(sha('p1'), 'wip', 'feature'), ctx.deps);
  assert.equal(ctx.builds.records[0]?.request.change, undefined);
  ctx.builds.finish(ctx.builds.records[0]!.id, 'failed');
  ctx.forge.changes.set(5, {
    change: 5,
    sha: sha('p1'),
    ref: 'feature',
    state: 'open',
    fork: null,
    author: 'dev',
  });
  const retest = await handleForgeEvent(comment('/retest', 'dev'), ctx.deps);
  assert.equal(retest.builds.length, 1);
  assert.equal(ctx.builds.records[0]?.request.change, 5);
});

test('a stale "waiting for approval" cannot overwrite the status of a newer build of the sha', async () => {
  ctx.forge.permissions.set('dev', 'write');
  await handleForgeEvent(change('opened', sha('w1'), 'dev', false), ctx.deps);
  const build = ctx.builds.records[0]!;
  assert.deepEqual(
    ctx.forge.statuses.map((s) => [s.sha, s.description]),
    [[sha('w1'), 'queued']],
  );
  // A delivery accepted before that build was requested, handled only now (a retry, a slow queue).
  const before = new Date(Date.parse(build.createdAt) - 1000).toISOString();
  const stale = await handleForgeEvent(change('updated', sha('w1'), 'stranger'), {
    ...ctx.deps,
    receivedAt: before,
  });
  assert.equal(stale.action, 'hold');
  assert.deepEqual(
    ctx.forge.statuses.map((s) => [s.sha, s.description]),
    [[sha('w1'), 'queued']],
    'the newer build keeps its status',
  );
  // The same decision made after the build was requested is newer, and shows.
  const after = new Date(Date.parse(build.createdAt) + 1000).toISOString();
  await handleForgeEvent(change('updated', sha('w1'), 'stranger'), { ...ctx.deps, receivedAt: after });
  assert.match(ctx.forge.statuses.at(-1)?.description ?? '', /^waiting for approval/);
});

test('a stale "[skip ci]" or "no pipeline" status cannot overwrite a newer build’s either', async () => {
  await handleForgeEvent(push(sha('k1')), ctx.deps);
  const build = ctx.builds.records[0]!;
  const before = new Date(Date.parse(build.createdAt) - 1000).toISOString();
  await handleForgeEvent(push(sha('k1'), 'docs [skip ci]'), { ...ctx.deps, receivedAt: before });
  ctx.forge.withoutPipeline.add(sha('k1'));
  await handleForgeEvent(push(sha('k1')), { ...ctx.deps, receivedAt: before });
  assert.deepEqual(
    ctx.forge.statuses.map((s) => [s.sha, s.description]),
    [[sha('k1'), 'queued']],
  );
});
