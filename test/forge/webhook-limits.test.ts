import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { pino } from 'pino';
import { createGitlabIngress } from '../../src/forge/gitlab/ingress.ts';
import { type BodyBudget, createBodyBudget } from '../../src/forge/webhook-body.ts';
import { until } from '../support/api-client.ts';
import { MemoryBuilds } from '../support/memory-builds.ts';
import { createEventDispatcher } from '../support/memory-dispatcher.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { slowPost } from '../support/slow-post.ts';
import { type Harness, SECRET, startHarness } from './github/harness.ts';
import { pushPayload, SHA } from './github/payloads.ts';
import { fixture, serve } from './gitlab/helpers.ts';

// Issue 15: nobody may make the web process buffer bodies it has not authenticated, and
// what it buffers while checking is bounded across the process (both forges share it).
const MiB = 1024 * 1024;
const GITLAB_TOKEN = 'gitlab-hook-secret';
const logger = pino({ level: 'silent' });

describe('webhook bodies are bounded before they are trusted', () => {
  let redis: TestRedis;
  let builds: MemoryBuilds;
  let budget: BodyBudget;
  let github: Harness;
  let gitlab: Awaited<ReturnType<typeof serve>>;

  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.stop());
  beforeEach(async () => {
    builds = new MemoryBuilds();
    budget = createBodyBudget(2 * MiB);
    github = await startHarness(builds, undefined, redis, { bodies: budget });
    github.fake.addFile(SHA, '.wharf-ci.yml', 'build:\n  unit:\n    container:\n      image: alpine\n');
    const gitlabIngress = createGitlabIngress({
      secret: GITLAB_TOKEN,
      botUsername: async () => 'berth-bot',
      onEvent: async () => {},
      dispatcher: createEventDispatcher({ logger }),
      bodies: budget,
      logger,
    });
    gitlab = await serve([gitlabIngress]);
  });
  afterEach(async () => {
    await github.stop();
    await gitlab.close();
  });

  const big = Buffer.alloc(24 * MiB, 'x');
  const githubHeaders = (extra: Record<string, string>) => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': `limits-${Math.random()}`,
    ...extra,
  });

  it('answers an unsigned 24 MB GitHub POST with 401 before the client has sent the body', async () => {
    const answer = await slowPost(github.url, {
      headers: githubHeaders({ 'content-length': String(big.length) }),
      body: big,
      pauseMs: 20,
    });
    assert.equal(answer.status, 401);
    assert.match(answer.body, /X-Hub-Signature-256 is missing/);
    assert.ok(answer.sent < 4 * MiB, `answered after ${answer.sent} of ${big.length} bytes`);
    assert.equal(answer.headers.connection, 'close', 'the rest of the body is not read');
    assert.equal(budget.held, 0);
  });

  it('answers a malformed signature with 400 and a body declared over 25 MB with 413, unread', async () => {
    const malformed = await slowPost(github.url, {
      headers: githubHeaders({ 'content-length': String(big.length), 'x-hub-signature-256': 'sha1=abc' }),
      body: big,
      pauseMs: 20,
    });
    assert.equal(malformed.status, 400);
    assert.ok(malformed.sent < 4 * MiB);
    const tooBig = await slowPost(github.url, {
      headers: githubHeaders({
        'content-length': String(26 * MiB),
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
      }),
      body: big,
      pauseMs: 20,
    });
    assert.equal(tooBig.status, 413);
    assert.ok(tooBig.sent < 4 * MiB);
    assert.equal(builds.records.length, 0);
  });

  it('answers a GitLab hook with a wrong token with 401 before the client has sent the body', async () => {
    const answer = await slowPost(`${gitlab.url}/api/gitlab/webhooks`, {
      headers: {
        'content-type': 'application/json',
        'content-length': String(big.length),
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': 'wrong',
      },
      body: big,
      pauseMs: 20,
    });
    assert.equal(answer.status, 401);
    assert.ok(answer.sent < 4 * MiB, `answered after ${answer.sent} of ${big.length} bytes`);
  });

  it('answers 503 past the bytes in flight across both forges, and takes deliveries again once they are done', async () => {
    // A real, signed push padded to 1.5 MiB: held half-sent, it keeps its bytes in the budget.
    const payload = { ...pushPayload(), padding: 'p'.repeat(1.5 * MiB) };
    const body = Buffer.from(JSON.stringify(payload));
    const signature = await sign(SECRET, body.toString());
    const send = Promise.withResolvers<void>();
    const held = slowPost(github.url, {
      headers: githubHeaders({ 'content-length': String(body.length), 'x-hub-signature-256': signature }),
      body,
      hold: 1.25 * MiB,
      release: send.promise,
    });
    await until(async () => budget.held >= 1.25 * MiB, 5000);

    const gitlabBody = Buffer.from(JSON.stringify(fixture('push')).padEnd(MiB, ' '));
    const fromGitlab = await slowPost(`${gitlab.url}/api/gitlab/webhooks`, {
      headers: {
        'content-type': 'application/json',
        'content-length': String(gitlabBody.length),
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': GITLAB_TOKEN,
      },
      body: gitlabBody,
    });
    assert.equal(fromGitlab.status, 503, 'GitLab shares the budget');
    assert.equal(fromGitlab.headers['retry-after'], '5');
    // Without a declared length the ingress finds out while reading, and stops there.
    const chunked = await slowPost(github.url, {
      headers: githubHeaders({ 'x-hub-signature-256': signature }),
      body,
      pauseMs: 5,
    });
    assert.equal(chunked.status, 503);
    assert.ok(chunked.sent < body.length, 'answered before the whole body was sent');

    send.resolve();
    assert.equal((await held).status, 200, 'the held delivery is accepted once it arrives');
    await github.settle();
    assert.equal(builds.records.length, 1);
    assert.equal(budget.held, 0, 'nothing stays counted');
    const again = await slowPost(github.url, {
      headers: githubHeaders({ 'content-length': String(body.length), 'x-hub-signature-256': signature }),
      body,
    });
    assert.equal(again.status, 200);
  });
});
