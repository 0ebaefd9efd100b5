import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuildRequest } from '../../../src/builds/types.ts';
import { createGitlabAdapter } from '../../../src/forge/gitlab/adapter.ts';
import { createGitlabApi } from '../../../src/forge/gitlab/client.ts';
import { GitlabForge } from '../../../src/forge/gitlab/forge.ts';
import { FakeGitlab } from '../../support/fake-gitlab.ts';

const SHA = '1'.repeat(40);
const request: BuildRequest = {
  forge: 'gitlab',
  repo: 'platform/tools/deployer',
  projectId: 77,
  sha: SHA,
  ref: 'feature/login',
  refType: 'branch',
  trigger: 'push',
  inputs: {},
  rerun: false,
};

let fake: FakeGitlab;
before(async () => {
  fake = await new FakeGitlab().start();
  fake.addProject(77, 'platform/tools/deployer');
  fake.addCommit(77, SHA, { '.wharf-ci.yml': 'x: {}\n' }, 'Add login\n\nLonger body');
});
after(() => fake.close());

const adapter = () => {
  const api = createGitlabApi({ url: fake.url, token: fake.token });
  return createGitlabAdapter(api, new GitlabForge(api), {
    report: async () => {},
    notice: async () => {},
  });
};

it('gives the build variables of the project and commit (nested groups, PROJECT_ID)', async () => {
  const variables = await adapter().variables(request, SHA, AbortSignal.timeout(5000));
  assert.deepEqual(variables, {
    GIT_COMMIT: SHA,
    GIT_BRANCH: 'feature/login',
    REPO_BRANCH: 'feature/login',
    GIT_SAFEBRANCH: 'feature-login',
    GIT_TAG: '',
    REPO_GROUP: 'platform/tools',
    REPO_NAME: 'deployer',
    PROJECT_ID: '77',
    GIT_COMMIT_SUBJECT: 'Add login',
    GIT_COMMIT_AUTHOR_DATE: '2026-01-02T03:04:05Z',
    GIT_COMMIT_COMMITTER_DATE: '2026-01-02T03:04:06Z',
  });
});

it('uses what the request carries and names tags', async () => {
  const tagged: BuildRequest = {
    ...request,
    ref: 'v2.0.0',
    refType: 'tag',
    commit: { subject: 'Release', authorDate: 'a', committerDate: 'c' },
  };
  const before = fake.requests.length;
  const variables = await adapter().variables(tagged, SHA, AbortSignal.timeout(5000));
  assert.equal(variables.GIT_TAG, 'v2.0.0');
  assert.equal(variables.GIT_BRANCH, '');
  assert.equal(variables.GIT_COMMIT_SUBJECT, 'Release');
  assert.equal(fake.requests.length, before, 'no API call needed');
});

it('reads the pipeline file at the request sha', async () => {
  const signal = AbortSignal.timeout(5000);
  assert.equal(await adapter().readFile(request, '.wharf-ci.yml', signal), 'x: {}\n');
  assert.equal(await adapter().readFile(request, 'nope.yml', signal), null);
});
