import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createWorkerRuntime } from '../../../src/app/worker-runtime.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createGitlabPlugin, type GitlabPlugin } from '../../../src/forge/gitlab/plugin.ts';
import { createBodyBudget, MAX_WEBHOOK_BODY } from '../../../src/forge/webhook-body.ts';
import { createQueueStack, type QueueStack } from '../../../src/queue/stack.ts';
import { type BuildWorker, startBuildWorker } from '../../../src/queue/worker.ts';
import { createWebServer, type WebServer } from '../../../src/web/server.ts';
import { FakeGitlab, type FakeStatus } from '../../support/fake-gitlab.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { fixture, postHook } from './helpers.ts';

const SECRET = 'e2e-gitlab-secret';
const PUBLIC_URL = 'http://berth.example';
const GOOD = '1'.repeat(40);
const FAILING = '2'.repeat(40);
const INVALID = '3'.repeat(40);
const LEAKY = '4'.repeat(40);
const PIPELINES = {
  [GOOD]: `build:\n  hello:\n    container:\n      image: alpine\n      cmds:\n        - echo hello \${PROJECT_ID} \${REPO_GROUP}\n`,
  [FAILING]:
    'build:\n  unit:\n    container:\n      image: alpine\n      cmds:\n        - echo "assertion failed in test_login"\n        - exit 3\n',
  [INVALID]: 'build:\n  hello:\n    container:\n      cmds: []\n',
  [LEAKY]: `inputs:\n  - name: TOKEN\n    type: password\n    default: gl-s3cr3t-value\nbuild:\n  login:\n    container:\n      image: alpine\n      cmds:\n        - echo "token is \${TOKEN}" && exit 1\n`,
};
const logger = pino({ level: 'silent' });

describe('GitLab end to end: real queue, worker and local runtime against the GitLab fake', () => {
  let redis: TestRedis;
  let fake: FakeGitlab;
  let stack: QueueStack;
  let worker: BuildWorker;
  let web: WebServer;
  let plugin: GitlabPlugin;
  let url: string;

  before(async () => {
    redis = await startRedis();
    fake = await new FakeGitlab().start();
    fake.addProject(15, 'mike/diaspora');
    for (const [sha, pipeline] of Object.entries(PIPELINES))
      fake.addCommit(15, sha, { '.wharf-ci.yml': pipeline }, 'c');
    fake.addMergeRequest(15, 1, { sha: FAILING, state: 'opened', source_branch: 'ms-viewport' });
    fake.addMember(15, fake.addUser('root', 1).id, 40);
    stack = createQueueStack({
      redis: redis.url,
      logger,
      retentionMs: 3_600_000,
      logCaps: { stepBytes: 1e6, buildBytes: 2e6 },
    });
    plugin = createGitlabPlugin(
      { url: fake.url, token: fake.token, webhookSecret: SECRET },
      {
        builds: stack.service,
        redis: stack.redis,
        logger,
        tail: (id, step, lines) => stack.logs.stepTail(id, step, lines),
        publicUrl: PUBLIC_URL,
        bodies: createBodyBudget(MAX_WEBHOOK_BODY * 2),
      },
    );
    const config = loadConfig({ BERTH_RUNTIME: 'local' });
    const { runner } = await createWorkerRuntime(
      config,
      logger,
      { PATH: process.env.PATH, HOME: process.env.HOME },
      (id) => stack.store.isActive(id),
    );
    worker = await startBuildWorker({
      connection: stack.bull,
      store: stack.store,
      logs: stack.logs,
      bus: stack.bus,
      adapters: { gitlab: plugin.adapter },
      runner,
      logger,
      concurrency: 2,
    });
    web = createWebServer({ handlers: plugin.handlers, logger });
    const address = await web.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await web.close();
    await plugin.close(5000);
    await worker.close(5000);
    await stack.close();
    await redis.stop();
    await fake.close();
  });

  /** Polls `read` until `done` holds (or fails after 30 s). */
  const eventually = async <T>(read: () => T, done: (value: T) => boolean): Promise<T> => {
    const until = Date.now() + 30_000;
    for (;;) {
      const value = read();
      if (done(value)) return value;
      if (Date.now() > until) throw new Error(`never got there: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const finished = (sha: string): Promise<FakeStatus[]> =>
    eventually(
      () => fake.statusesOf(15, sha),
      (statuses) => statuses.some((s) => s.state === 'success' || s.state === 'failed'),
    );
  const noteOn = (iid: number) =>
    eventually(
      () => fake.notesOf(15, iid),
      (notes) => notes.length > 0,
    );

  it('a push runs the pipeline: pending → running → success, linked to the build', async () => {
    const answer = await postHook(url, 'Push Hook', fixture('push', { checkout_sha: GOOD, commits: [] }), {
      token: SECRET,
    });
    assert.equal(answer.status, 202);
    const statuses = await finished(GOOD);
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['pending', 'running', 'success'],
    );
    const [build] = await stack.service.list({ forge: 'gitlab', sha: GOOD });
    assert.equal(build?.status, 'success');
    assert.ok(
      statuses.every((s) => s.name === 'berth' && s.target_url === `${PUBLIC_URL}/builds/${build?.id}`),
    );
    const log = (await stack.logs.stepTail(build!.id, { stage: 'build', step: 'hello' }, 5)).join('\n');
    assert.match(log, /hello 15 mike/, 'PROJECT_ID and REPO_GROUP reach the step');
    const reads = fake
      .calls('GET', /\/repository\/files\/\.wharf-ci\.yml\/raw$/)
      .filter((r) => r.query.ref === GOOD);
    assert.equal(reads.length, 1, 'the policy and the worker read .wharf-ci.yml once together');
  });

  it('a failing MR build fails its status and leaves one note with the log tail', async () => {
    const payload = fixture('merge-request-open', {
      object_attributes: { action: 'open', last_commit: { id: FAILING, message: 'try login' } },
    });
    await postHook(url, 'Merge Request Hook', payload, { token: SECRET });
    const statuses = await finished(FAILING);
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['pending', 'running', 'failed'],
    );
    assert.match(statuses.at(-1)?.description ?? '', /build\/unit exited 3/);
    const notes = await noteOn(1);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.body, /assertion failed in test_login/);
  });

  /** Adds MR !iid of project 15 at `sha` to the fake and delivers its "open" hook. */
  async function openMergeRequest(iid: number, sha: string, branch: string): Promise<void> {
    fake.addMergeRequest(15, iid, { sha, state: 'opened', source_branch: branch });
    const payload = fixture('merge-request-open', {
      object_attributes: {
        iid,
        action: 'open',
        source_branch: branch,
        last_commit: { id: sha, message: 'x' },
      },
    });
    await postHook(url, 'Merge Request Hook', payload, { token: SECRET });
  }

  it('a password input printed by a failing step is redacted in the note', async () => {
    await openMergeRequest(3, LEAKY, 'leaky');
    await finished(LEAKY);
    const note = (await noteOn(3))[0]?.body ?? '';
    assert.match(note, /token is \*\*\*/);
    const written = JSON.stringify([fake.notesOf(15, 3), fake.statusesOf(15, LEAKY)]);
    assert.ok(!written.includes('gl-s3cr3t-value'), 'the secret reaches no GitLab write');
  });

  it('an invalid .wharf-ci.yml fails the status and the note names line:col', async () => {
    await openMergeRequest(2, INVALID, 'broken');
    const statuses = await finished(INVALID);
    assert.equal(statuses.at(-1)?.state, 'failed');
    const note = (await noteOn(2))[0]?.body ?? '';
    assert.match(note, /the pipeline file is invalid/);
    assert.match(note, /`\.wharf-ci\.yml:\d+:\d+` error/);
  });
});
