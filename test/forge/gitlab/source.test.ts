import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { BuildRequest } from '../../../src/builds/types.ts';
import { createGitlabApi } from '../../../src/forge/gitlab/client.ts';
import { archiveSource } from '../../../src/forge/gitlab/source.ts';
import { FakeGitlab } from '../../support/fake-gitlab.ts';

const SHA = 'b'.repeat(40);
let fake: FakeGitlab;
let dir: string;
before(async () => {
  fake = await new FakeGitlab().start();
  fake.addProject(7, 'acme/app');
  fake.addCommit(7, SHA, { '.wharf-ci.yml': 'stage: {}\n', 'src/deep/main.go': 'package main\n' });
  dir = await mkdtemp(join(tmpdir(), 'berth-gitlab-src-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await fake.close();
});

const request: BuildRequest = {
  forge: 'gitlab',
  repo: 'acme/app',
  projectId: 7,
  sha: SHA,
  ref: 'main',
  refType: 'branch',
  trigger: 'push',
  inputs: {},
  rerun: false,
};

it('unpacks the repository archive at the sha without its top folder', async () => {
  const source = archiveSource(createGitlabApi({ url: fake.url, token: fake.token }));
  assert.deepEqual(await source.fetch(request, dir, AbortSignal.timeout(10_000)), { sha: SHA });
  assert.equal(await readFile(join(dir, 'src/deep/main.go'), 'utf8'), 'package main\n');
  assert.equal(await readFile(join(dir, '.wharf-ci.yml'), 'utf8'), 'stage: {}\n');
  await assert.rejects(stat(join(dir, `app-${SHA}-${SHA}`)));
  assert.equal(fake.calls('GET', /repository\/archive\.tar\.gz$/)[0]?.query.sha, SHA);
});

it('refuses an archive with an entry outside the build folder, writing nothing there', async () => {
  const evil = 'c'.repeat(40);
  fake.addCommit(7, evil, { 'kept.txt': 'k', '../escape.txt': 'x' });
  const target = await mkdtemp(join(tmpdir(), 'berth-gitlab-evil-'));
  try {
    const source = archiveSource(createGitlabApi({ url: fake.url, token: fake.token }));
    await assert.rejects(
      source.fetch({ ...request, sha: evil }, join(target, 'src'), AbortSignal.timeout(10_000)),
      /unsafe repository archive: "\.\.\/escape\.txt" goes up with "\.\."/,
    );
    await assert.rejects(stat(join(target, 'escape.txt')));
  } finally {
    await rm(target, { recursive: true, force: true });
  }
});
