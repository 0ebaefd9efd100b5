import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BuildRequest } from '../../../src/builds/types.ts';
import { MemoryBuilds } from '../../support/memory-builds.ts';
import { type Harness, startHarness } from './harness.ts';

const SHA = 'c'.repeat(40);
let h: Harness;
let dir: string;
const request: BuildRequest = {
  forge: 'github',
  repo: 'acme/app',
  installationId: 42,
  sha: SHA,
  ref: 'feature/login',
  refType: 'branch',
  trigger: 'push',
  inputs: {},
  rerun: false,
};

before(async () => {
  h = await startHarness(new MemoryBuilds());
  dir = await mkdtemp(join(tmpdir(), 'berth-src-'));
  h.fake.addFile(SHA, '.wharf-ci.yml', 'build:\n  hello:\n    container:\n      image: alpine\n');
  h.fake.addFile(SHA, 'scripts/run.sh', '#!/bin/sh\necho hi\n');
});
after(async () => {
  assert.deepEqual(h.fake.unexpected, []);
  assert.deepEqual(h.fake.refused, []);
  await h.stop();
  await rm(dir, { recursive: true, force: true });
});

test('reads the pipeline file at the sha; a missing file is null', async () => {
  const signal = AbortSignal.timeout(5000);
  assert.match((await h.plugin.adapter.readFile(request, '.wharf-ci.yml', signal)) ?? '', /image: alpine/);
  assert.equal(await h.plugin.adapter.readFile(request, 'nope.yml', signal), null);
});

test('reads a pipeline file over 1 MB, which the contents API serves only raw', async () => {
  const big = `build:\n  hello:\n    container:\n      image: alpine\n${'# padding line\n'.repeat(80_000)}`;
  h.fake.addFile(SHA, 'big.wharf-ci.yml', big);
  assert.equal(await h.plugin.adapter.readFile(request, 'big.wharf-ci.yml', AbortSignal.timeout(5000)), big);
});

test('fetches the source from the tarball at the sha, top folder stripped, modes kept', async () => {
  const result = await h.plugin.adapter.source.fetch(request, dir, AbortSignal.timeout(5000));
  assert.equal(result.sha, SHA);
  assert.equal(await readFile(join(dir, 'scripts/run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
  assert.equal((await stat(join(dir, 'scripts/run.sh'))).mode & 0o111, 0o111);
  assert.ok(h.fake.requests.some((r) => r.path === `/repos/acme/app/tarball/${SHA}`));
  const codeload = `/_codeload/acme/app/legacy.tar.gz/${SHA}?token=codeload-token`;
  assert.ok(
    h.fake.requests.some((r) => r.path === codeload),
    'follows GitHub’s 302 to codeload',
  );
});

test('build variables come from the request and the commits API', async () => {
  const vars = await h.plugin.adapter.variables(request, SHA, AbortSignal.timeout(5000));
  assert.deepEqual(vars, {
    GIT_COMMIT: SHA,
    GIT_BRANCH: 'feature/login',
    REPO_BRANCH: 'feature/login',
    GIT_SAFEBRANCH: 'feature-login',
    GIT_TAG: '',
    REPO_GROUP: 'acme',
    REPO_NAME: 'app',
    GIT_COMMIT_SUBJECT: 'a commit',
    GIT_COMMIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
    GIT_COMMIT_COMMITTER_DATE: '2026-01-01T00:00:01Z',
  });
});

test('without a tarball endpoint the source comes file by file through the contents API', async () => {
  const other = await mkdtemp(join(tmpdir(), 'berth-src-'));
  h.fake.tarballStatus = 404;
  try {
    await h.plugin.adapter.source.fetch(request, other, AbortSignal.timeout(5000));
    assert.equal(await readFile(join(other, 'scripts/run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.match(await readFile(join(other, '.wharf-ci.yml'), 'utf8'), /image: alpine/);
  } finally {
    h.fake.tarballStatus = 200;
    await rm(other, { recursive: true, force: true });
  }
});
