import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { QueueStack } from '../../../src/queue/stack.ts';
import { waitForState } from '../../support/queue-harness.ts';
import { startGithubBot } from './bot.ts';
import { example, type Harness, INSTALLATION, PUBLIC_URL } from './harness.ts';
import { devComment, devPr, eventually } from './payloads.ts';

// End to end: signed webhooks → Probot ingress → policy → BullMQ queue → worker running
// the pipeline on the local runtime → statuses, check runs and comments on the fake API.

let stack: QueueStack;
let h: Harness;

const PASSING = `build:\n  hello:\n    container:\n      image: alpine\n      cmds:\n        - echo hello \${GIT_COMMIT_SUBJECT}\n`;
const FAILING =
  'test:\n  unit:\n    container:\n      image: alpine\n      cmds:\n        - echo compiling\n        - echo "assertion failed in login" && exit 3\n';
const SLOW = 'slow:\n  wait:\n    container:\n      image: alpine\n      cmds:\n        - sleep 30\n';
const LEAKY = `inputs:\n  - name: TOKEN\n    type: password\n    default: s3cr3t-t0ken-value\ntest:\n  login:\n    container:\n      image: alpine\n      cmds:\n        - echo "logging in with \${TOKEN}" && exit 1\n`;
const INVALID = 'build:\n  hello:\n    dockr:\n      file: Dockerfile\n';

let bot: Awaited<ReturnType<typeof startGithubBot>>;

before(async () => {
  bot = await startGithubBot();
  ({ stack, h } = bot);
});
after(async () => {
  await bot.stop();
});

const sha = (n: number) => n.toString(16).padStart(40, 'e');

function push(commit: string) {
  const p = example('push', undefined, (x) => String(x.ref).startsWith('refs/heads/'));
  Object.assign(p, { after: commit, deleted: false });
  p.head_commit = { ...p.head_commit, message: 'Add login\n\nlong body' };
  return p;
}

async function buildOf(commit: string, skip = 0) {
  await h.settle();
  const records = await stack.service.list({ repo: 'acme/app', sha: commit });
  const record = records.at(-1 - skip);
  assert.ok(record, `a build of ${commit}`);
  return record;
}

const statusesOf = (commit: string) => h.fake.statuses.filter((s) => s.sha === commit);

/** A writer opens PR `number` at `commit` with `pipeline`; resolves with its build once it has failed. */
async function failedPrBuild(commit: string, number: number, pipeline: string) {
  h.fake.permissions.set('dev', 'write');
  h.fake.addFile(commit, '.wharf-ci.yml', pipeline);
  await h.deliver('pull_request', devPr(h.fake, commit, number));
  const record = await buildOf(commit);
  await waitForState(stack, record.id, 'failed');
  return record;
}

test('a push runs its pipeline: pending "queued" → running → success, linked to the build page', async () => {
  const commit = sha(1);
  h.fake.addFile(commit, '.wharf-ci.yml', PASSING);
  assert.equal(await h.deliver('push', push(commit)), 200);
  const record = await buildOf(commit);
  await waitForState(stack, record.id, 'success');
  const target = `${PUBLIC_URL}/builds/${record.id}`;
  await eventually(() => assert.equal(statusesOf(commit).at(-1)?.state, 'success'));
  const seen = statusesOf(commit);
  assert.deepEqual(seen[0], {
    sha: commit,
    state: 'pending',
    context: 'berth',
    description: seen[0]?.description,
    target_url: target,
  });
  assert.match(seen[0]?.description ?? '', /^(queued|running)/, 'pending while queued or running');
  assert.ok(seen.every((s) => s.target_url === target));
  assert.match(seen.at(-1)?.description ?? '', /^passed/);
  assert.equal(seen.filter((s) => s.state === 'success').length, 1, 'each status text written once');
  const lines = await stack.logs.stepTail(record.id, { stage: 'build', step: 'hello' }, 5);
  assert.ok(lines.includes('hello Add login'), `log shows the commit subject variable: ${lines.join(' | ')}`);
  await eventually(() => {
    const run = h.fake.checkRunOf(record.id);
    assert.deepEqual([run?.status, run?.conclusion], ['completed', 'success']);
  });
});

test('a failing step: failure status and one comment with its log tail; /retest fails again and edits it', async () => {
  const commit = sha(2);
  const first = await failedPrBuild(commit, 7, FAILING);
  const comments = () => h.fake.comments.get(7) ?? [];
  await eventually(() => assert.equal(comments().length, 1));
  assert.equal(statusesOf(commit).at(-1)?.description, 'failed: test/unit exited 3');
  assert.match(comments()[0]!.body, /assertion failed in login/);

  await h.deliver('issue_comment', devComment('/retest', 7));
  await h.settle();
  const second = (await stack.service.list({ repo: 'acme/app', sha: commit }))[0]!;
  assert.notEqual(second.id, first.id);
  await waitForState(stack, second.id, 'failed');
  await eventually(() =>
    assert.ok(comments()[0]!.body.includes(`/builds/${second.id}`), 'describes the rerun'),
  );
  assert.equal(comments().length, 1);
});

test('a password input printed by a failing step is redacted in the comment and the check run', async () => {
  const commit = sha(6);
  const record = await failedPrBuild(commit, 12, LEAKY);
  await eventually(() => assert.match(h.fake.comments.get(12)?.[0]?.body ?? '', /logging in with \*\*\*/));
  await eventually(() => {
    const run = h.fake.checkRunOf(record.id);
    assert.equal(run?.conclusion, 'failure');
  });
  const written = JSON.stringify([h.fake.comments.get(12), [...h.fake.checkRuns.values()], h.fake.statuses]);
  assert.ok(!written.includes('s3cr3t-t0ken-value'), 'the secret reaches no GitHub write');
});

test('an invalid .wharf-ci.yml: failure status and a comment listing line:col', async () => {
  const commit = sha(3);
  h.fake.addFile(commit, '.wharf-ci.yml', INVALID);
  await h.deliver('pull_request', devPr(h.fake, commit, 8));
  const record = await buildOf(commit);
  await waitForState(stack, record.id, 'failed', 'error');
  await eventually(() => assert.equal(statusesOf(commit).at(-1)?.state, 'failure'));
  await eventually(() =>
    assert.match(h.fake.comments.get(8)?.[0]?.body ?? '', /`\.wharf-ci\.yml:\d+:\d+` error:/),
  );
});

test('closing a PR cancels its running build', async () => {
  const commit = sha(4);
  h.fake.addFile(commit, '.wharf-ci.yml', SLOW);
  await h.deliver('pull_request', devPr(h.fake, commit, 9));
  const record = await buildOf(commit);
  await waitForState(stack, record.id, 'running');
  await h.deliver('pull_request', devPr(h.fake, commit, 9, 'closed'));
  await h.settle();
  await waitForState(stack, record.id, 'cancelled');
});

test('a push that is an open PR’s head and the PR’s synchronize make one build, the PR’s', async () => {
  const commit = sha(5);
  h.fake.permissions.set('dev', 'write');
  h.fake.addFile(commit, '.wharf-ci.yml', PASSING);
  const sync = devPr(h.fake, commit, 11, 'synchronize');
  const branchPush = push(commit);
  branchPush.ref = 'refs/heads/feature-11';
  await Promise.all([h.deliver('push', branchPush), h.deliver('pull_request', sync)]);
  await h.settle();
  const records = await stack.service.list({ repo: 'acme/app', sha: commit });
  assert.equal(records.length, 1);
  assert.equal(records[0]?.request.change, 11);
  await waitForState(stack, records[0]!.id, 'success');
});

test('a file with only inputs and environments: the build succeeds, runs nothing and says so', async () => {
  const commit = sha(7);
  h.fake.addFile(commit, '.wharf-ci.yml', 'inputs:\n  - {name: greeting, type: string, default: hi}\n');
  assert.equal(await h.deliver('push', push(commit)), 200);
  const record = await buildOf(commit);
  const done = await waitForState(stack, record.id, 'success', 'failed', 'error');
  assert.deepEqual([done?.status, done?.stages], ['success', []], done?.message ?? '');
  await eventually(() =>
    assert.deepEqual(
      [statusesOf(commit).at(-1)?.state, statusesOf(commit).at(-1)?.description],
      ['success', 'nothing to run: the file defines no stages'],
    ),
  );
  await eventually(() => assert.equal(h.fake.checkRunOf(record.id)?.conclusion, 'success'));
});

test('inputs in the comment and check run: the others shown, password ones masked; no write has the password', async () => {
  const commit = sha(8);
  const secret = 'hunter2-SECRET';
  h.fake.addFile(
    commit,
    '.wharf-ci.yml',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: wharf variables, not JS templates
    'inputs:\n  - {name: greeting, type: string}\n  - {name: apiauth, type: password}\ntest:\n  login:\n    container:\n      image: alpine\n      cmds: ["echo ${greeting} with ${apiauth}; exit 1"]\n',
  );
  const { id } = await stack.service.request({
    forge: 'github',
    repo: 'acme/app',
    installationId: INSTALLATION,
    sha: commit,
    ref: 'feature-14',
    refType: 'branch',
    trigger: 'manual',
    change: 14,
    inputs: { greeting: 'hello', apiauth: secret },
    rerun: true,
  });
  await waitForState(stack, id, 'failed');
  await eventually(() => assert.match(h.fake.comments.get(14)?.[0]?.body ?? '', /hello with \*\*\*/));
  const body = h.fake.comments.get(14)?.[0]?.body ?? '';
  assert.match(body, /inputs: `greeting`=`hello`, `apiauth`=`\*\*\*`/);
  await eventually(() => assert.equal(h.fake.checkRunOf(id)?.conclusion, 'failure'));
  const output = h.fake.checkRunOf(id)?.output as { summary?: string } | undefined;
  assert.match(output?.summary ?? '', /inputs: `greeting`=`hello`, `apiauth`=`\*\*\*`/);
  const written = JSON.stringify([h.fake.comments.get(14), [...h.fake.checkRuns.values()], h.fake.statuses]);
  assert.ok(!written.includes(secret), 'the password reaches no GitHub write');
});

test('one push reads .wharf-ci.yml once through the contents API, the policy and the worker together', async () => {
  const commit = sha(9);
  h.fake.addFile(commit, '.wharf-ci.yml', PASSING);
  assert.equal(await h.deliver('push', push(commit)), 200);
  const record = await buildOf(commit);
  await waitForState(stack, record.id, 'success');
  const reads = h.fake.requests.filter(
    (r) => r.method === 'GET' && r.path.includes('/contents/.wharf-ci.yml') && r.path.includes(commit),
  );
  assert.equal(reads.length, 1, reads.map((r) => r.path).join('\n'));
});
