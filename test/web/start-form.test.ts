// The start form's server side: what `GET /api/start-options` offers (refs, environments,
// inputs by type, no password default), who may use it, and a start that records the
// user as actor and keeps password values out of the build record.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { FakeGithub } from '../support/fake-github.ts';
import { signIn } from '../support/forge-sign-in.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'admin-token-0123456789';

describe('the start form', () => {
  const github = new FakeGithub('acme/app');
  let redis: TestRedis;
  let app: App;
  let base = '';

  before(async () => {
    await github.start();
    github.addUser('writer', 12, { 'acme/app': 'write' });
    github.addUser('reader', 11, { 'acme/app': 'read' });
    github.refs.set('acme/app', { branches: ['main', 'feature/x'], tags: ['v1.0.0'] });
    const pipeline = await readFile(new URL('../fixtures/start-form.wharf-ci.yml', import.meta.url), 'utf8');
    for (const ref of ['main', 'v1.0.0']) github.userFiles.set(`acme/app ${ref}:.wharf-ci.yml`, pipeline);
    redis = await startRedis();
    app = await startServe(
      {
        REDIS_URL: redis.url,
        BERTH_API_TOKEN: TOKEN,
        ...github.signInEnv(),
      },
      'web',
    );
    base = app.url;
  });
  after(async () => {
    await app.close();
    await redis.stop();
    await github.stop();
  });

  const options = (cookie: string, query: string) =>
    fetch(`${base}/api/start-options?${query}`, { headers: { cookie } });

  test('offers branches and tags, the environments and typed inputs, never a password default', async () => {
    github.oauth.signInAs = 'writer';
    const cookie = await signIn(base, 'github');
    const res = await options(cookie, 'source=github:acme/app');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(body.refs, { branches: ['main', 'feature/x'], tags: ['v1.0.0'], defaultBranch: 'main' });
    assert.equal(body.ref, 'main');
    assert.deepEqual(body.environments, ['staging', 'production']);
    assert.deepEqual(body.inputs, [
      { name: 'greeting', type: 'string', default: 'hello', values: [] },
      { name: 'replicas', type: 'number', default: '2', values: [] },
      { name: 'flavour', type: 'choice', default: 'vanilla', values: ['vanilla', 'chocolate'] },
      { name: 'apiauth', type: 'password', default: null, values: [] },
    ]);
    assert.ok(!JSON.stringify(body).includes('default-secret-value'));
    const tag = (await (await options(cookie, 'source=github:acme/app&ref=v1.0.0')).json()) as {
      refType: string;
    };
    assert.equal(tag.refType, 'tag');
    const missing = (await (await options(cookie, 'source=github:acme/app&ref=feature/x')).json()) as {
      problem: string;
    };
    assert.match(missing.problem, /no \.wharf-ci\.yml at feature\/x/);
    const page = await (await fetch(`${base}/start?source=github:acme/app`, { headers: { cookie } })).text();
    assert.match(page, /<h1>Start a build<\/h1>/);
    assert.match(page, /"source":"github:acme\/app"/);
  });

  test('readers, strangers, the signed-out and other forges cannot use it', async () => {
    github.oauth.signInAs = 'reader';
    const reader = await signIn(base, 'github');
    assert.equal((await options(reader, 'source=github:acme/app')).status, 403);
    assert.equal((await options(reader, 'source=github:acme/hidden')).status, 404);
    assert.equal((await options(reader, 'source=gitlab:acme/app')).status, 400);
    assert.equal((await options(reader, 'source=local:/etc')).status, 400);
    assert.equal((await fetch(`${base}/api/start-options?source=github:acme/app`)).status, 401);
  });

  test('starting records the user as actor and keeps the password value out of the record', async () => {
    github.oauth.signInAs = 'writer';
    const cookie = await signIn(base, 'github');
    const res = await fetch(`${base}/api/builds`, {
      method: 'POST',
      headers: { cookie, origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'github:acme/app',
        ref: 'v1.0.0',
        refType: 'tag',
        environment: 'staging',
        inputs: { greeting: 'hi', replicas: '3', flavour: 'chocolate', apiauth: 'hunter2-SECRET' },
      }),
    });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    const record = await app.stack.service.get(id);
    assert.equal(record?.request.actor, 'writer');
    assert.equal(record?.request.refType, 'tag');
    assert.equal(record?.request.environment, 'staging');
    assert.deepEqual(record?.request.inputs, { greeting: 'hi', replicas: '3', flavour: 'chocolate' });
    assert.deepEqual(record?.request.secretInputs, ['apiauth']);
    const job = await app.stack.service.queue.getJob(id);
    const queued = job?.data.request as { inputs: Record<string, string> } | undefined;
    assert.equal(queued?.inputs.apiauth, 'hunter2-SECRET', 'the worker still gets the value');
    const served = await (await fetch(`${base}/api/builds/${id}`, { headers: { cookie } })).text();
    const page = await (await fetch(`${base}/builds/${id}`, { headers: { cookie } })).text();
    for (const text of [served, page]) assert.ok(!text.includes('hunter2-SECRET'));
    const rerun = await fetch(`${base}/api/builds/${id}/rerun`, {
      method: 'POST',
      headers: { cookie, origin: base },
    });
    assert.equal(rerun.status, 409, 'a rerun cannot replay a password Berth did not keep');
    const crossSite = await fetch(`${base}/api/builds`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example' },
      body: JSON.stringify({ source: 'github:acme/app', ref: 'main' }),
    });
    assert.equal(crossSite.status, 403);
  });
});
