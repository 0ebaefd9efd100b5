import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { GitlabHarness, HEAD, PIPELINE, PUBLIC_URL, stagesEnding } from './harness.ts';
import { fixture } from './helpers.ts';

const NEW_HEAD = 'e'.repeat(40);
const mr = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  fixture('merge-request-open', { object_attributes: attributes, ...extra });
/** The hook's `user` as GitLab sends it: the id with the username (trust is checked by id). */
const USER_IDS: Record<string, number> = { root: 1, dev: 30, reporter: 31, eve: 77 };
const user = (username: string) => ({ id: USER_IDS[username], username });
const note = (text: string, username: string, extra: Record<string, unknown> = {}) =>
  fixture('note-merge-request', { object_attributes: { note: text }, user: user(username), ...extra });

describe('GitLab hooks become builds, statuses and one MR note', () => {
  let h: GitlabHarness;
  beforeEach(async () => {
    h = await new GitlabHarness().start();
    h.fake.addMember(15, h.fake.addUser('dev', 30).id, 30);
    h.fake.addMember(15, h.fake.addUser('reporter', 31).id, 20);
    h.fake.addMember(15, h.fake.addUser('root', 1).id, 50);
    h.openMergeRequest();
  });
  afterEach(() => h.stop());

  const statuses = (sha = HEAD) => h.fake.statusesOf(15, sha).map((s) => s.state);

  it('a push builds its sha: pending → running → success, linked to the build page', async () => {
    const answer = await h.hook('Push Hook', 'push');
    assert.equal(answer.status, 202);
    const [build] = h.builds.records;
    assert.ok(build);
    assert.deepEqual(
      {
        repo: build.request.repo,
        projectId: build.request.projectId,
        sha: build.sha,
        ref: build.request.ref,
      },
      { repo: 'mike/diaspora', projectId: 15, sha: HEAD, ref: 'main' },
    );
    await h.run(build.id, 'success', stagesEnding('success'));
    assert.deepEqual(statuses(), ['pending', 'running', 'success']);
    for (const status of h.fake.statusesOf(15, HEAD)) {
      assert.equal(status.name, 'berth');
      assert.equal(status.target_url, `${PUBLIC_URL}/builds/${build.id}`);
    }
    assert.equal(h.fake.statusesOf(15, HEAD)[2]?.description?.startsWith('passed'), true);
  });

  it('a failing step fails the status and writes one note with its log tail; the next failure edits it', async () => {
    h.tails.set('build/compile', ['cc main.c', 'main.c:3: error: expected ;']);
    await h.hook('Merge Request Hook', mr({ action: 'open' }));
    const first = h.builds.records[0]!;
    await h.run(first.id, 'failed', stagesEnding('failed'));
    assert.deepEqual(statuses(), ['pending', 'running', 'failed']);
    const notes = h.fake.notesOf(15, 1);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.body, /main\.c:3: error: expected ;/);
    await h.hook('Note Hook', note('/retest', 'dev'));
    const second = h.builds.records[0]!;
    assert.notEqual(second.id, first.id);
    h.tails.set('build/compile', ['second attempt broke too']);
    await h.run(second.id, 'failed', stagesEnding('failed'));
    assert.equal(h.fake.notesOf(15, 1).length, 1, 'still one note');
    assert.match(h.fake.notesOf(15, 1)[0]!.body, /second attempt broke too/);
    assert.equal(h.fake.calls('PUT', /\/notes\/\d+$/).length, 1);
  });

  it('/retest from a Developer reruns; from a Reporter it is refused with one reply', async () => {
    await h.hook('Merge Request Hook', mr({ action: 'open' }));
    await h.run(h.builds.records[0]!.id, 'failed', stagesEnding('failed'));
    await h.hook('Note Hook', note('/retest', 'reporter'));
    await h.hook(
      'Note Hook',
      fixture('note-merge-request', {
        object_attributes: { id: 7, note: '/retest' },
        user: user('reporter'),
      }),
    );
    assert.equal(h.builds.records.length, 1, 'no rerun for a Reporter');
    const replies = h.fake.notesOf(15, 1).filter((n) => /only collaborators with write access/.test(n.body));
    assert.equal(replies.length, 1);
    await h.hook('Note Hook', note('/retest', 'dev'));
    assert.equal(h.builds.records.length, 2);
    assert.equal(h.builds.records[0]!.request.trigger, 'retest');
  });

  it('/retest reruns only the failed steps (the note shows the rest reused, linked); /retest all reruns every step', async () => {
    await h.hook('Merge Request Hook', mr({ action: 'open' }));
    const first = h.builds.records[0]!;
    const at = new Date().toISOString();
    const done = { exitCode: 0, reason: null, message: null, startedAt: at, finishedAt: at };
    await h.run(first.id, 'failed', [
      { name: 'build', status: 'success', steps: [{ name: 'compile', status: 'success', ...done }] },
      ...stagesEnding('failed').map((stage) => ({ ...stage, name: 'test' })),
    ]);
    await h.hook('Note Hook', note('/retest', 'dev'));
    const second = h.builds.records[0]!;
    assert.equal(second.request.reuseFrom, first.id, 'the worker reuses what succeeded in the failed build');
    const reused = { ...done, startedAt: null, finishedAt: null, reusedFrom: first.id };
    await h.run(second.id, 'success', [
      { name: 'build', status: 'success', steps: [{ name: 'compile', status: 'reused', ...reused }] },
      ...stagesEnding('success').map((stage) => ({ ...stage, name: 'test' })),
    ]);
    assert.deepEqual(statuses().slice(-1), ['success']);
    const body = h.fake.notesOf(15, 1)[0]?.body ?? '';
    assert.ok(body.includes(`/builds/${second.id}`), 'the one note describes the rerun');
    assert.ok(
      body.includes(`| build | compile | ♻️ reused from [${first.id}](${PUBLIC_URL}/builds/${first.id}) |`),
      body,
    );
    await h.run(second.id, 'failed', stagesEnding('failed'));
    await h.hook(
      'Note Hook',
      note('/retest all', 'dev', { object_attributes: { id: 99, note: '/retest all' } }),
    );
    const third = h.builds.records[0]!;
    assert.notEqual(third.id, second.id);
    assert.equal(third.request.trigger, 'retest');
    assert.equal(third.request.reuseFrom, undefined, '/retest all runs every step');
  });

  it('checks trust by the user id the hook carries: no user lookup, so a restricted users API breaks nothing', async () => {
    h.fake.restrictUsersApi();
    await h.hook(
      'Merge Request Hook',
      mr({ action: 'open', author_id: USER_IDS.dev }, { user: user('dev') }),
    );
    assert.equal(h.builds.records.length, 1, "a Developer's MR builds");
    await h.run(h.builds.records[0]!.id, 'failed', stagesEnding('failed'));
    await h.hook('Note Hook', note('/retest', 'reporter'));
    assert.equal(h.builds.records.length, 1, 'a Reporter is refused');
    await h.hook('Note Hook', note('/retest', 'dev'));
    assert.equal(h.builds.records.length, 2, 'a Developer reruns');
    assert.deepEqual(h.fake.calls('GET', /\/users$/), [], 'no GET /users?username=');
    assert.equal(h.fake.calls('GET', /\/members\/all\/30$/).length, 1, 'one membership read, then cached');
  });

  it('a fork MR waits for /ok-to-test, runs after it, and waits again after a new push', async () => {
    h.fake.addProject(42, 'eve/diaspora');
    h.fake.addCommit(42, HEAD, { '.wharf-ci.yml': PIPELINE }, 'fixed readme');
    h.fake.addCommit(42, NEW_HEAD, { '.wharf-ci.yml': PIPELINE }, 'more');
    h.fake.addCommit(15, NEW_HEAD, { '.wharf-ci.yml': PIPELINE }, 'more', { onBranch: false });
    h.openMergeRequest({ source_project_id: 42, author: { username: 'eve' } });
    const fork = { source_project_id: 42, source: { id: 42, path_with_namespace: 'eve/diaspora' } };
    const byEve = { author_id: USER_IDS.eve };
    await h.hook('Merge Request Hook', mr({ action: 'open', ...fork, ...byEve }, { user: user('eve') }));
    assert.equal(h.builds.records.length, 0, 'held');
    const waiting = h.fake.statusesOf(42, HEAD);
    assert.deepEqual(
      waiting.map((s) => [s.state, s.description]),
      [['pending', 'waiting for approval: a collaborator can comment /ok-to-test']],
    );
    await h.hook('Note Hook', note('/ok-to-test', 'dev'));
    assert.equal(h.builds.records.length, 1);
    const build = h.builds.records[0]!;
    assert.equal(build.request.headRepo, 'eve/diaspora');
    await h.run(build.id, 'success', stagesEnding('success'));
    assert.deepEqual(
      h.fake.statusesOf(42, HEAD).map((s) => s.state),
      ['pending', 'running', 'success'],
    );
    await h.hook(
      'Merge Request Hook',
      mr({ action: 'update', oldrev: HEAD, last_commit: { id: NEW_HEAD, message: 'more' }, ...fork }),
    );
    assert.equal(h.builds.records.length, 1, 'the approval lapsed with the push');
    assert.deepEqual(
      h.fake.statusesOf(42, NEW_HEAD).map((s) => s.state),
      ['pending'],
    );
  });

  it('a fork status falls back to the target project, then to a note on the MR', async () => {
    h.fake.addProject(42, 'eve/diaspora');
    h.fake.forbidStatuses(42);
    const FIRST = 'f'.repeat(40);
    h.fake.addCommit(15, FIRST, { '.wharf-ci.yml': PIPELINE }, 'x', { onBranch: false });
    h.fake.addCommit(15, NEW_HEAD, { '.wharf-ci.yml': PIPELINE }, 'x', { onBranch: false });
    const fork = { source_project_id: 42, source: { id: 42, path_with_namespace: 'eve/diaspora' } };
    await h.hook('Merge Request Hook', mr({ action: 'open', ...fork, last_commit: { id: FIRST } }));
    assert.deepEqual(
      h.fake.statusesOf(15, FIRST).map((s) => [s.state, s.ref]),
      [['pending', 'refs/merge-requests/1/head']],
      'written on the target project, on the MR ref (the fork head is on no branch there)',
    );
    h.fake.forbidStatuses(15);
    // A new head (the same status on the same commit again would not be written again).
    await h.hook(
      'Merge Request Hook',
      mr({ action: 'update', oldrev: FIRST, last_commit: { id: NEW_HEAD, message: 'x' }, ...fork }),
    );
    const notes = h.fake.notesOf(15, 1);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.body, /berth\*\* pending at eeeeeeee: waiting for approval/);
  });

  it('a push to an open MR and the MR update it causes build once, in either order', async () => {
    const pushToMr = fixture('push', { ref: 'refs/heads/ms-viewport' });
    await h.hook('Push Hook', pushToMr);
    await h.hook('Merge Request Hook', mr({ action: 'update', oldrev: '9'.repeat(40) }));
    assert.equal(h.builds.records.length, 1);
    assert.equal(h.builds.records[0]!.request.change, 1, 'built as the MR build (its note lands on the MR)');
    h.openMergeRequest({ sha: NEW_HEAD });
    h.fake.addCommit(15, NEW_HEAD, { '.wharf-ci.yml': PIPELINE }, 'next');
    await h.hook(
      'Merge Request Hook',
      mr({ action: 'update', oldrev: HEAD, last_commit: { id: NEW_HEAD, message: 'next' } }),
    );
    await h.hook(
      'Push Hook',
      fixture('push', { ref: 'refs/heads/ms-viewport', checkout_sha: NEW_HEAD, commits: [] }),
    );
    assert.equal(h.builds.records.length, 2);
  });

  it('a retried hook (same Idempotency-Key) makes no second build', async () => {
    await h.hook('Push Hook', 'push', { key: 'retry-me' });
    await h.hook('Push Hook', 'push', { key: 'retry-me' });
    assert.equal(h.builds.records.length, 1);
    assert.deepEqual(statuses(), ['pending']);
  });

  it('closing or merging the MR cancels its builds', async () => {
    await h.hook('Merge Request Hook', mr({ action: 'open' }));
    const build = h.builds.records[0]!;
    await h.hook('Merge Request Hook', mr({ action: 'close', state: 'closed' }));
    assert.equal((await h.builds.get(build.id))?.status, 'cancelled');
    assert.deepEqual(
      h.builds.cancelled.map((c) => c.filter.change),
      [1],
    );
  });

  it('a wrong token is answered 401 and nothing is queued', async () => {
    const answer = await h.hook('Push Hook', 'push', { token: 'not-the-secret' });
    assert.equal(answer.status, 401);
    assert.equal(h.builds.records.length, 0);
    assert.equal(h.fake.requests.length, 0);
  });

  it('a title-only MR update builds nothing', async () => {
    await h.hook('Merge Request Hook', mr({ action: 'update', title: 'Draft: MS-Viewport' }));
    assert.equal(h.builds.records.length, 0);
    assert.equal(h.fake.requests.length, 0);
  });

  it('[skip ci] builds nothing and says so in a status', async () => {
    const payload = fixture('push', {
      commits: [{ id: HEAD, message: 'docs only [skip ci]', timestamp: '2026-01-01T00:00:00Z' }],
    });
    await h.hook('Push Hook', payload);
    assert.equal(h.builds.records.length, 0);
    assert.deepEqual(
      h.fake.statusesOf(15, HEAD).map((s) => [s.state, s.description]),
      [['success', 'skipped: [skip ci]']],
    );
  });

  it('a repeated status is not an error', async () => {
    await h.hook('Push Hook', 'push');
    const build = h.builds.records[0]!;
    const record = structuredClone(build);
    const running = {
      ...record,
      status: 'running' as const,
      stages: [
        { name: 'a', status: 'running' as const, steps: [] },
        { name: 'b', status: 'pending' as const, steps: [] },
      ],
    };
    await h.plugin.adapter.reporter.report(running);
    running.stages = [
      { name: 'a', status: 'success' as never, steps: [] },
      { name: 'b', status: 'running', steps: [] },
    ];
    await h.plugin.adapter.reporter.report(running);
    assert.equal(h.fake.calls('POST', /statuses/).length, 3, 'running was posted twice');
    assert.deepEqual(statuses(), ['pending', 'running']);
    await h.run(build.id, 'success', stagesEnding('success'));
    assert.deepEqual(statuses(), ['pending', 'running', 'success']);
  });
});
