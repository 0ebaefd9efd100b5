import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BuildRecord } from '../../../src/builds/types.ts';
import type { QueueStack } from '../../../src/queue/stack.ts';
import { waitForState } from '../../support/queue-harness.ts';
import { startGithubBot } from './bot.ts';
import { example, type Harness, PUBLIC_URL } from './harness.ts';
import { devComment, devPr, eventually } from './payloads.ts';

// Reruns end to end: signed webhooks → ingress → policy → queue → worker on the local
// runtime → statuses, check runs and the summary comment on the fake GitHub API.

let stack: QueueStack;
let h: Harness;
let markers: string;

let bot: Awaited<ReturnType<typeof startGithubBot>>;

before(async () => {
  bot = await startGithubBot();
  ({ stack, h } = bot);
  markers = await mkdtemp(join(tmpdir(), 'berth-flaky-'));
});
after(async () => {
  await bot.stop();
  await rm(markers, { recursive: true, force: true });
});

const sha = (n: number) => n.toString(16).padStart(40, 'c');

/**
 * compile → (unit, lint) → ship. `unit` fails the first time it runs for `name` and
 * passes afterwards (a marker file outside the build); `lint` passes at once.
 */
function flakyPipeline(name: string, top = ''): string {
  const marker = join(markers, name);
  const step = (cmd: string) => `    container:\n      image: alpine\n      cmds:\n        - ${cmd}\n`;
  return [
    top,
    `build:\n  compile:\n${step('echo compiled')}`,
    `test:\n  unit:\n${step(`sleep 1; if [ -f ${marker} ]; then echo unit ok; else touch ${marker}; echo flaky; exit 1; fi`)}`,
    `  lint:\n${step('echo lint ok')}`,
    `deploy:\n  ship:\n${step('echo shipped')}`,
  ].join('');
}

/** The builds of `commit`, newest first. */
async function buildsOf(commit: string): Promise<BuildRecord[]> {
  await h.settle();
  return stack.service.list({ repo: 'acme/app', sha: commit });
}

/** Opens PR `change` at `commit` with `pipeline`; resolves with its failed first build. */
async function failedFirstBuild(commit: string, change: number, pipeline: string) {
  h.fake.permissions.set('dev', 'write');
  h.fake.addFile(commit, '.wharf-ci.yml', pipeline);
  await h.deliver('pull_request', devPr(h.fake, commit, change));
  const [first] = await buildsOf(commit);
  assert.ok(first);
  const done = await waitForState(stack, first.id, 'failed', 'success', 'error');
  assert.equal(done?.status, 'failed', done?.message ?? '');
  return first;
}

/** `[stage/step, status, reusedFrom]` of every step of a build. */
const steps = (record: BuildRecord | null | undefined) =>
  (record?.stages ?? []).flatMap((stage) =>
    stage.steps.map((s) => [`${stage.name}/${s.name}`, s.status, s.reusedFrom ?? null]),
  );

/** Delivers a comment and returns the build it started once it ended. */
async function rerunBy(body: string, commit: string, change: number) {
  const before = new Set((await buildsOf(commit)).map((r) => r.id));
  await h.deliver('issue_comment', devComment(body, change));
  const rerun = (await buildsOf(commit)).find((r) => !before.has(r.id));
  assert.ok(rerun, `${body} started a build`);
  return waitForState(stack, rerun.id, 'success', 'failed', 'error');
}

test('/retest after a flaky step runs only that step and the stages after it; the rest are reused', async () => {
  const commit = sha(1);
  const first = await failedFirstBuild(commit, 31, flakyPipeline('retest'));
  assert.deepEqual(steps(await stack.service.get(first.id)), [
    ['build/compile', 'success', null],
    ['test/unit', 'failed', null],
    ['test/lint', 'success', null],
    ['deploy/ship', 'skipped', null],
  ]);
  const second = await rerunBy('/retest', commit, 31);
  assert.equal(second?.status, 'success', second?.message ?? '');
  assert.deepEqual(steps(second), [
    ['build/compile', 'reused', first.id],
    ['test/unit', 'success', null],
    ['test/lint', 'reused', first.id],
    ['deploy/ship', 'success', null],
  ]);
  const id = second?.id ?? '';
  assert.deepEqual(await stack.logs.stepTail(id, { stage: 'build', step: 'compile' }, 5), []);
  assert.ok((await stack.logs.stepTail(id, { stage: 'test', step: 'unit' }, 5)).includes('unit ok'));
  // The summary comment and the check run say which steps were reused, linking the build that ran them.
  const reusedCell = `♻️ reused from [${first.id}](${PUBLIC_URL}/builds/${first.id})`;
  await eventually(() => {
    const body = h.fake.comments.get(31)?.[0]?.body ?? '';
    assert.ok(body.includes(`/builds/${id}`), 'the comment describes the rerun');
    assert.ok(body.includes(`| build | compile | ${reusedCell} |`), body);
    assert.ok(body.includes('| test | unit | ✅ success |'), body);
  });
  await eventually(() => {
    const run = h.fake.checkRunOf(id);
    assert.equal(run?.conclusion, 'success');
    assert.ok(String((run?.output as { summary?: string })?.summary).includes(reusedCell));
  });
});

test('/retest all runs every step again', async () => {
  const commit = sha(2);
  const first = await failedFirstBuild(commit, 32, flakyPipeline('retest-all'));
  const second = await rerunBy('/retest all', commit, 32);
  assert.equal(second?.status, 'success');
  assert.notEqual(second?.id, first.id);
  assert.deepEqual(
    steps(second).map(([name, status]) => [name, status]),
    [
      ['build/compile', 'success'],
      ['test/unit', 'success'],
      ['test/lint', 'success'],
      ['deploy/ship', 'success'],
    ],
  );
});

test('`rerun: all` at the top of .wharf-ci.yml turns step reuse off for /retest', async () => {
  const commit = sha(3);
  await failedFirstBuild(commit, 33, flakyPipeline('rerun-all-key', 'rerun: all\n'));
  const second = await rerunBy('/retest', commit, 33);
  assert.equal(second?.status, 'success');
  assert.ok(
    steps(second).every(([, status]) => status === 'success'),
    JSON.stringify(steps(second)),
  );
});

function checkRun(commit: string, login: string) {
  const p = example('check_run', 'rerequested');
  Object.assign(p.check_run, { name: 'berth', head_sha: commit, pull_requests: [], app: { id: 1 } });
  p.check_run.check_suite = {
    ...p.check_run.check_suite,
    head_sha: commit,
    head_branch: 'x',
    app: { id: 1 },
  };
  p.sender.login = login;
  return p;
}

function checkSuite(commit: string, login: string) {
  const p = example('check_suite', 'rerequested');
  Object.assign(p.check_suite, { head_sha: commit, head_branch: 'x', pull_requests: [], app: { id: 1 } });
  p.sender.login = login;
  return p;
}

/** Delivers a check_run/check_suite webhook and returns the build it started once it ended. */
async function rerunByButton(name: string, payload: unknown, commit: string) {
  const before = new Set((await buildsOf(commit)).map((r) => r.id));
  await h.deliver(name, payload);
  const rerun = (await buildsOf(commit)).find((r) => !before.has(r.id));
  if (!rerun) return null;
  return waitForState(stack, rerun.id, 'success', 'failed', 'error');
}

test('Re-run on a failed check run (check_run.rerequested) runs the failed steps; readers start nothing', async () => {
  const commit = sha(4);
  const first = await failedFirstBuild(commit, 34, flakyPipeline('check-run'));
  h.fake.permissions.set('visitor', 'read');
  assert.equal(await rerunByButton('check_run', checkRun(commit, 'visitor'), commit), null);
  const second = await rerunByButton('check_run', checkRun(commit, 'dev'), commit);
  assert.equal(second?.status, 'success');
  assert.equal(second?.request.trigger, 'rerequested');
  assert.equal(second?.request.change, 34, 'the rerun keeps the pull request of the earlier build');
  assert.deepEqual(steps(second), [
    ['build/compile', 'reused', first.id],
    ['test/unit', 'success', null],
    ['test/lint', 'reused', first.id],
    ['deploy/ship', 'success', null],
  ]);
  await eventually(() => assert.equal(h.fake.checkRunOf(second?.id ?? '')?.conclusion, 'success'));
});

test('Re-run all checks (check_suite.rerequested) reruns the suite’s build, every step', async () => {
  const commit = sha(5);
  await failedFirstBuild(commit, 35, flakyPipeline('check-suite'));
  const second = await rerunByButton('check_suite', checkSuite(commit, 'dev'), commit);
  assert.equal(second?.status, 'success');
  assert.ok(
    steps(second).every(([, status]) => status === 'success'),
    JSON.stringify(steps(second)),
  );
});

function mergeGroup(action: string, commit: string, change: number) {
  const p = example('merge_group', 'checks_requested');
  p.action = action;
  Object.assign(p.merge_group, {
    head_sha: commit,
    head_ref: `refs/heads/gh-readonly-queue/main/pr-${change}-${'a'.repeat(40)}`,
  });
  if (action === 'destroyed') p.reason = 'dequeued';
  p.sender = { login: 'github-merge-queue[bot]', type: 'Bot' };
  return p;
}

test('a merge group is built at the queue’s head sha and reported under the pull request’s context and check name', async () => {
  const prCommit = sha(6);
  h.fake.permissions.set('dev', 'write');
  h.fake.addFile(
    prCommit,
    '.wharf-ci.yml',
    'build:\n  hello:\n    container:\n      image: alpine\n      cmds: [echo hi]\n',
  );
  await h.deliver('pull_request', devPr(h.fake, prCommit, 36));
  const [prBuild] = await buildsOf(prCommit);
  await waitForState(stack, prBuild?.id ?? '', 'success');
  const queueHead = sha(7);
  h.fake.addFile(
    queueHead,
    '.wharf-ci.yml',
    'build:\n  hello:\n    container:\n      image: alpine\n      cmds: [echo queued]\n',
  );
  // Sent by GitHub's merge queue bot, who is no collaborator: the base repository's trust applies.
  assert.equal(await h.deliver('merge_group', mergeGroup('checks_requested', queueHead, 36)), 200);
  const [queued] = await buildsOf(queueHead);
  assert.ok(queued, 'the merge group is built');
  assert.equal(queued.request.trigger, 'merge-group');
  assert.equal(queued.request.ref, `gh-readonly-queue/main/pr-36-${'a'.repeat(40)}`);
  await waitForState(stack, queued.id, 'success');
  const prRun = h.fake.checkRunOf(prBuild?.id ?? '');
  await eventually(() => {
    const run = h.fake.checkRunOf(queued.id);
    assert.equal(run?.conclusion, 'success');
    assert.equal(run?.name, prRun?.name);
    assert.equal(run?.head_sha, queueHead);
    const status = h.fake.statuses.filter((s) => s.sha === queueHead).at(-1);
    const prStatus = h.fake.statuses.filter((s) => s.sha === prCommit).at(-1);
    assert.equal(status?.state, 'success');
    assert.equal(status?.context, prStatus?.context);
    assert.equal(status?.context, 'berth');
  });
});

test('a push to a pull request does not cancel a merge group build; merge_group.destroyed does', async () => {
  const queueHead = sha(8);
  h.fake.addFile(
    queueHead,
    '.wharf-ci.yml',
    'slow:\n  wait:\n    container:\n      image: alpine\n      cmds: [sleep 30]\n',
  );
  await h.deliver('merge_group', mergeGroup('checks_requested', queueHead, 37));
  const [queued] = await buildsOf(queueHead);
  assert.ok(queued);
  await waitForState(stack, queued.id, 'running');
  const pushed = sha(9);
  h.fake.addFile(
    pushed,
    '.wharf-ci.yml',
    'build:\n  hello:\n    container:\n      image: alpine\n      cmds: [echo hi]\n',
  );
  const sync = devPr(h.fake, pushed, 37);
  sync.action = 'synchronize';
  await h.deliver('pull_request', sync);
  const [prBuild] = await buildsOf(pushed);
  await waitForState(stack, prBuild?.id ?? '', 'success');
  assert.equal((await stack.service.get(queued.id))?.status, 'running');
  await h.deliver('merge_group', mergeGroup('destroyed', queueHead, 37));
  await h.settle();
  const cancelled = await waitForState(stack, queued.id, 'cancelled');
  assert.match(cancelled?.message ?? '', /merge group left the queue \(dequeued\)/);
});
