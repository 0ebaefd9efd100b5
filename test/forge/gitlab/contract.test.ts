import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { GitlabHarness, HEAD, PIPELINE, PUBLIC_URL, stagesEnding } from './harness.ts';
import { fixture } from './helpers.ts';

// GitLab's own rules, as the fake enforces them: paged note lists, a status needs a ref
// GitLab can find, note and description limits.

const TAG_SHA = '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7';

describe('GitLab API contract', () => {
  let h: GitlabHarness;
  beforeEach(async () => {
    h = await new GitlabHarness().start();
    h.fake.addMember(15, h.fake.addUser('dev', 30).id, 30);
    h.fake.addMember(15, h.fake.addUser('root', 1).id, 50);
    h.openMergeRequest();
  });
  afterEach(() => h.stop());

  it('the summary note on page 2 of a long MR thread is found and edited, not duplicated', async () => {
    const dev = { id: 30, username: 'dev' };
    for (let i = 0; i < 110; i += 1) h.fake.addNote(15, 1, dev, `note ${i}`);
    h.fake.addNote(15, 1, h.fake.bot, '<!-- berth:summary -->\nold failure');
    for (let i = 0; i < 5; i += 1) h.fake.addNote(15, 1, dev, `late note ${i}`);
    h.tails.set('build/compile', ['ld: undefined reference to main']);
    await h.hook(
      'Merge Request Hook',
      fixture('merge-request-open', { object_attributes: { action: 'open' } }),
    );
    await h.run(h.builds.records[0]!.id, 'failed', stagesEnding('failed'));
    const lists = h.fake.calls('GET', /\/merge_requests\/1\/notes$/);
    assert.deepEqual(
      lists.map((r) => r.query.page ?? '1'),
      ['1', '2'],
      'followed the Link header to page 2',
    );
    const notes = h.fake.notesOf(15, 1);
    assert.equal(notes.length, 116, 'no second summary note');
    assert.match(notes[110]!.body, /ld: undefined reference to main/);
  });

  it('a tag build names its tag as the status ref (the tagged commit is on no branch)', async () => {
    h.fake.addCommit(15, TAG_SHA, { '.wharf-ci.yml': PIPELINE }, 'release', { onBranch: false });
    await h.hook('Tag Push Hook', 'tag-push');
    const build = h.builds.records[0];
    assert.ok(build, 'a tag build');
    await h.run(build.id, 'success', stagesEnding('success'));
    assert.deepEqual(
      h.fake.statusesOf(15, TAG_SHA).map((s) => [s.state, s.ref, s.target_url]),
      [
        ['pending', 'v1.0.0', `${PUBLIC_URL}/builds/${build.id}`],
        ['running', 'v1.0.0', `${PUBLIC_URL}/builds/${build.id}`],
        ['success', 'v1.0.0', `${PUBLIC_URL}/builds/${build.id}`],
      ],
    );
  });

  it('a branch build names its branch; [skip ci] and "no pipeline" statuses do too', async () => {
    await h.hook('Push Hook', 'push');
    assert.deepEqual(
      h.fake.statusesOf(15, HEAD).map((s) => [s.state, s.ref]),
      [['pending', 'main']],
    );
    const bare = 'b'.repeat(40);
    h.fake.addCommit(15, bare, { 'README.md': 'hi' }, 'docs', { onBranch: false });
    await h.hook('Push Hook', fixture('push', { ref: 'refs/heads/docs', checkout_sha: bare, commits: [] }));
    assert.deepEqual(
      h.fake.statusesOf(15, bare).map((s) => [s.state, s.ref, s.description]),
      [['success', 'docs', 'no .wharf-ci.yml at this commit: nothing to build']],
    );
  });

  it('a huge failure log keeps the note within 1,000,000 characters, marker first', async () => {
    h.tails.set(
      'build/compile',
      Array.from({ length: 30 }, (_, i) => `${i} ${'x'.repeat(60_000)}`),
    );
    await h.hook(
      'Merge Request Hook',
      fixture('merge-request-open', { object_attributes: { action: 'open' } }),
    );
    await h.run(h.builds.records[0]!.id, 'failed', stagesEnding('failed'));
    const [note] = h.fake.notesOf(15, 1);
    assert.ok(note && note.body.length <= 1_000_000, `note of ${note?.body.length} characters`);
    assert.ok(note.body.startsWith('<!-- berth:summary -->'));
    assert.match(note.body, /29 x{100}/, 'the last lines are kept');
  });
});
