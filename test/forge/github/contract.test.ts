import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { BuildRecord } from '../../../src/builds/types.ts';
import { MemoryBuilds } from '../../support/memory-builds.ts';
import { failedStages } from '../../support/records.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { example, type Harness, PUBLIC_URL, startHarness } from './harness.ts';
import { commentPayload, openPr, prPayload, SHA } from './payloads.ts';

// GitHub's own rules, as the fake enforces them: pagination, 422 limits, roles, forks.

const SECRET_VALUE = 'hunter2-hunter2';
let redis: TestRedis;
let builds: MemoryBuilds;
let h: Harness;
/** Log lines the fake log store serves per step (a step not listed gets none). */
let logs: Record<string, string[]>;

before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());
beforeEach(async () => {
  builds = new MemoryBuilds();
  logs = {};
  h = await startHarness(builds, async (_id, key, n) => (logs[key.step] ?? []).slice(-n), redis);
  await h.redis.flushall();
  h.fake.addFile(SHA, '.wharf-ci.yml', 'build:\n  unit:\n    container:\n      image: alpine\n');
});
afterEach(async () => {
  assert.deepEqual(h.fake.unexpected, [], 'no unexpected GitHub API requests');
  assert.deepEqual(h.fake.refused, [], 'nothing GitHub would refuse (422)');
  await h.stop();
});

async function openedByWriter(): Promise<BuildRecord> {
  h.fake.permissions.set('dev', 'write');
  await h.deliver('pull_request', prPayload('opened', SHA, false, 'dev'));
  await h.settle();
  const record = builds.records[0];
  assert.ok(record, 'a build');
  return record;
}

test('the summary comment on page 2 of a long PR thread is found and edited, not duplicated', async () => {
  const chatter = Array.from({ length: 130 }, (_, i) => ({
    id: i + 1,
    body: `comment ${i}`,
    user: { login: 'someone', type: 'User' },
  }));
  chatter.splice(120, 0, {
    id: 500,
    body: '<!-- berth:summary -->\nold failure',
    user: { login: 'berth[bot]', type: 'Bot' },
  });
  h.fake.comments.set(5, chatter);
  const record = await openedByWriter();
  Object.assign(record, { status: 'failed', stages: failedStages() });
  await h.plugin.adapter.reporter.report(record);
  const lists = h.fake.requests.filter((r) => r.method === 'GET' && r.path.includes('/issues/5/comments'));
  assert.deepEqual(
    lists.map((r) => new URL(r.path, 'http://x').searchParams.get('page') ?? '1'),
    ['1', '2'],
  );
  assert.equal(h.fake.comments.get(5)?.length, 131, 'no second summary');
  assert.match(h.fake.comments.get(5)?.find((c) => c.id === 500)?.body ?? '', /unit/);
});

test('huge log tails keep the comment within 65,536 and check-run output within 65,535 characters', async () => {
  const record = await openedByWriter();
  const line = (i: number) => `${i} ${'é🙂x'.repeat(1200)} password=${SECRET_VALUE}`;
  logs.unit = Array.from({ length: 30 }, (_, i) => line(i).replaceAll(SECRET_VALUE, '***'));
  const stages = failedStages();
  stages[1]!.steps.push({ ...stages[1]!.steps[0]!, name: 'integration' });
  logs.integration = logs.unit;
  Object.assign(record, {
    status: 'failed',
    stages,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
  });
  await h.plugin.adapter.reporter.report(record);
  const body = h.fake.comments.get(5)?.[0]?.body ?? '';
  assert.ok([...body].length <= 65_536, `comment of ${[...body].length} characters`);
  assert.ok(body.startsWith('<!-- berth:summary -->'));
  assert.match(body, /\| test \| integration \|/);
  assert.ok(!body.includes(SECRET_VALUE));
  assert.ok(body.includes(`${PUBLIC_URL}/builds/${record.id}`));
  const run = [...h.fake.checkRuns.values()][0] as { output?: { summary: string; text?: string } };
  assert.ok(run.output && [...(run.output.text ?? '')].length <= 65_535);
});

test('a long step name still gives a status description GitHub accepts (≤ 140 characters)', async () => {
  const record = await openedByWriter();
  const stages = failedStages();
  stages[1]!.steps[0]!.name = `unit-${'very-long-name-'.repeat(20)}`;
  Object.assign(record, { status: 'failed', stages });
  await h.plugin.adapter.reporter.report(record);
  const last = h.fake.statuses.at(-1);
  assert.equal(last?.state, 'failure');
  assert.ok([...(last?.description ?? '')].length <= 140);
  assert.equal(last?.target_url, `${PUBLIC_URL}/builds/${record.id}`);
});

test('the maintain role may give commands; triage may not', async () => {
  openPr(h.fake, SHA, false, 'dev');
  h.fake.permissions.set('lead', 'maintain');
  h.fake.permissions.set('helper', 'triage');
  await h.deliver('issue_comment', commentPayload('/test', 'helper'));
  await h.settle();
  assert.equal(builds.records.length, 0, 'triage is read access');
  await h.deliver('issue_comment', commentPayload('/test', 'lead'));
  await h.settle();
  assert.equal(builds.records.length, 1);
  assert.equal(builds.records[0]?.request.trigger, 'test');
});

test('a fork PR waits for /ok-to-test even when its author has write access', async () => {
  h.fake.permissions.set('dev', 'write');
  await h.deliver('pull_request', prPayload('opened', SHA, true, 'dev'));
  await h.settle();
  assert.equal(builds.records.length, 0);
  assert.deepEqual(
    [h.fake.statuses.at(-1)?.state, h.fake.statuses.at(-1)?.description],
    ['pending', 'waiting for approval: a collaborator can comment /ok-to-test'],
  );
});

test('Re-run on a check run (check_run.rerequested) from a writer reruns that build; from a reader nothing', async () => {
  const record = await openedByWriter();
  Object.assign(record, { status: 'failed', stages: failedStages() });
  const rerun = (login: string) => {
    const p = example('check_run', 'rerequested');
    Object.assign(p.check_run, { name: 'berth', head_sha: SHA, pull_requests: [], app: { id: 1 } });
    p.check_run.check_suite = {
      ...p.check_run.check_suite,
      head_sha: SHA,
      head_branch: 'feature',
      app: { id: 1 },
    };
    p.sender.login = login;
    return p;
  };
  h.fake.permissions.set('reader', 'read');
  await h.deliver('check_run', rerun('reader'));
  await h.settle();
  assert.equal(builds.records.length, 1);
  await h.deliver('check_run', rerun('dev'));
  await h.settle();
  assert.equal(builds.records.length, 2);
  assert.deepEqual(
    [builds.records[0]?.request.trigger, builds.records[0]?.request.change, builds.records[0]?.request.rerun],
    ['rerequested', 5, true],
    'the fork-safe rerun keeps the PR of the earlier build (pull_requests is empty)',
  );
});

test('Re-run all (check_suite.rerequested) reruns the newest build of every context of the sha', async () => {
  const record = await openedByWriter();
  Object.assign(record, { status: 'failed', stages: failedStages() });
  const p = example('check_suite', 'rerequested');
  Object.assign(p.check_suite, { head_sha: SHA, head_branch: 'feature', pull_requests: [], app: { id: 1 } });
  p.sender.login = 'dev';
  await h.deliver('check_suite', p);
  await h.settle();
  assert.equal(builds.records.length, 2);
  assert.equal(builds.records[0]?.request.trigger, 'rerequested');
});
