import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ForgeError } from '../../../src/errors.ts';
import { createGitlabApi } from '../../../src/forge/gitlab/client.ts';
import { GitlabForge } from '../../../src/forge/gitlab/forge.ts';
import type { RepoRef } from '../../../src/forge/types.ts';
import { GITLAB_NOTE_MAX } from '../../../src/report/summary.ts';
import { FakeGitlab } from '../../support/fake-gitlab.ts';

const SHA = 'a'.repeat(40);
const repo: RepoRef = { forge: 'gitlab', repo: 'acme/app', projectId: 7 };

describe('GitlabForge against an HTTP fake of the GitLab API', () => {
  let fake: FakeGitlab;
  let forge: GitlabForge;
  before(async () => {
    fake = await new FakeGitlab().start();
    fake.addProject(7, 'acme/app');
    fake.addCommit(7, SHA, { '.wharf-ci.yml': 'build:\n  x: {}\n', 'nested/dir/a.txt': 'A' });
    fake.addMergeRequest(7, 3, { state: 'opened' });
    forge = new GitlabForge(createGitlabApi({ url: `${fake.url}/`, token: fake.token }));
  });
  after(() => fake.close());

  it('reads a file at the sha, and null when it does not exist', async () => {
    assert.equal(await forge.readFile(repo, SHA, '.wharf-ci.yml'), 'build:\n  x: {}\n');
    assert.equal(await forge.readFile(repo, SHA, 'nested/dir/a.txt'), 'A');
    assert.equal(await forge.readFile(repo, SHA, 'missing.yml'), null);
    const call = fake.calls('GET', /repository\/files/)[0];
    assert.equal(call?.query.ref, SHA);
  });

  it('maps states, keeps name/target_url/description, and treats a repeated state as done', async () => {
    const target = { context: 'berth', targetUrl: 'http://berth.test/builds/1' };
    await forge.setStatus(repo, SHA, { ...target, state: 'pending', description: 'queued' });
    await forge.setStatus(repo, SHA, { ...target, state: 'running', description: 'running' });
    await forge.setStatus(repo, SHA, { ...target, state: 'running', description: 'running step 2' });
    await forge.setStatus(repo, SHA, { ...target, state: 'failure', description: 'x'.repeat(400) });
    await forge.setStatus(repo, SHA, { context: 'berth/prod', state: 'cancelled', description: 'stopped' });
    const statuses = fake.statusesOf(7, SHA);
    assert.deepEqual(
      statuses.map((s) => [s.name, s.state]),
      [
        ['berth', 'pending'],
        ['berth', 'running'],
        ['berth', 'failed'],
        ['berth/prod', 'canceled'],
      ],
    );
    assert.equal(statuses[0]?.target_url, 'http://berth.test/builds/1');
    assert.equal(statuses[2]?.description?.length, 255);
  });

  it('reports other failures as ForgeError with the status and whether to retry', async () => {
    const status = { state: 'pending', context: 'other', description: '' } as const;
    fake.failNext('POST', /statuses/, 503);
    await assert.rejects(
      forge.setStatus(repo, SHA, status),
      (error: unknown) => error instanceof ForgeError && error.status === 503 && error.retryable,
    );
    fake.addProject(8, 'someone/fork');
    fake.forbidStatuses(8);
    await assert.rejects(
      forge.setStatus({ ...repo, projectId: 8 }, SHA, status),
      (error: unknown) => error instanceof ForgeError && error.status === 403 && !error.retryable,
    );
    await assert.rejects(
      forge.readFile(repo, SHA, 'x', AbortSignal.abort()),
      (error: unknown) => error instanceof Error && error.name === 'CancelledError',
    );
  });

  it('writes one note per marker, edits only its own, and keeps within the note limit', async () => {
    const someone = fake.addUser('dev', 5);
    fake.addNote(7, 3, someone, '<!-- berth:summary --> quoting the bot');
    await forge.upsertComment(repo, 3, {
      marker: '<!-- berth:summary -->',
      body: '<!-- berth:summary -->\nfailed',
    });
    await forge.upsertComment(repo, 3, {
      marker: '<!-- berth:summary -->',
      body: '<!-- berth:summary -->\npassed',
    });
    const notes = fake.notesOf(7, 3);
    assert.deepEqual(
      notes.map((n) => [n.author.username, n.body]),
      [
        ['dev', '<!-- berth:summary --> quoting the bot'],
        ['berth-bot', '<!-- berth:summary -->\npassed'],
      ],
    );
    await forge.upsertComment(repo, 3, { marker: '<!-- big -->', body: `x${'y'.repeat(GITLAB_NOTE_MAX)}` });
    const big = fake.notesOf(7, 3).at(-1);
    assert.ok(big && big.body.length <= GITLAB_NOTE_MAX && big.body.startsWith('<!-- big -->'));
    assert.equal(fake.calls('GET', /^\/api\/v4\/user$/).length, 1, 'the bot user is looked up once');
  });

  it('maps membership (inherited included) to permissions', async () => {
    fake.addMember(7, fake.addUser('maintainer', 10).id, 40);
    fake.addMember(7, fake.addUser('developer', 11).id, 30);
    fake.addMember(7, fake.addUser('reporter', 12).id, 20);
    fake.addUser('stranger', 13);
    assert.equal(await forge.permissionOf(repo, { login: 'maintainer', id: 10 }), 'admin');
    assert.equal(await forge.permissionOf(repo, { login: 'developer', id: 11 }), 'write');
    assert.equal(await forge.permissionOf(repo, { login: 'reporter', id: 12 }), 'read');
    assert.equal(await forge.permissionOf(repo, { login: 'stranger', id: 13 }), 'none');
    assert.ok(fake.calls('GET', /\/members\/all\/11$/).length === 1);
    assert.equal(fake.calls('GET', /\/users$/).length, 0, 'a known id needs no user lookup');
    assert.equal(
      await forge.permissionOf(repo, { login: 'developer' }),
      'write',
      'a login alone is looked up',
    );
    assert.equal(await forge.permissionOf(repo, { login: 'nobody' }), 'none');
  });

  it('works with a self-managed GitLab under a path prefix', async () => {
    const prefixed = await new FakeGitlab({ prefix: '/gitlab' }).start();
    try {
      assert.match(prefixed.url, /\/gitlab$/);
      prefixed.addProject(7, 'acme/app');
      prefixed.addCommit(7, SHA, { 'a.txt': 'A' });
      const onPrefix = new GitlabForge(createGitlabApi({ url: prefixed.url, token: prefixed.token }));
      assert.equal(await onPrefix.readFile(repo, SHA, 'a.txt'), 'A');
    } finally {
      await prefixed.close();
    }
  });
});
