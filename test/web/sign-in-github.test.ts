// Sign-in with GitHub (the App's user authorization) against the fake GitHub's OAuth and
// permission endpoints, through `berth serve --role web` as composed for real: who sees
// which builds, who may cancel/rerun/start, sign-out and session expiry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { FakeGithub } from '../support/fake-github.ts';
import { beginSignIn, cookieFrom, signIn } from '../support/forge-sign-in.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { pushRequest } from '../support/requests.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'admin-token-0123456789';

describe('sign-in with GitHub', () => {
  const github = new FakeGithub('acme/app');
  let redis: TestRedis;
  let app: App;
  let base = '';
  let build = '';
  let other = '';

  before(async () => {
    await github.start();
    github.addUser('reader', 11, { 'acme/app': 'read' });
    github.addUser('writer', 12, { 'acme/app': 'write' });
    github.addUser('stranger', 13);
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
    build = (await app.stack.service.request(pushRequest())).id;
    other = (await app.stack.service.request(pushRequest({ repo: 'acme/secret', sha: 'b'.repeat(40) }))).id;
  });
  after(async () => {
    await app.close();
    await redis.stop();
    await github.stop();
  });

  const as = (cookie: string, extra: Record<string, string> = {}) => ({ headers: { cookie, ...extra } });
  const listed = async (cookie: string) =>
    (
      (await (await fetch(`${base}/api/builds`, as(cookie))).json()) as { builds: Array<{ id: string }> }
    ).builds.map((b) => b.id);

  test('signed out: the API answers 401 and pages show only the sign-in choices', async () => {
    assert.equal((await fetch(`${base}/api/builds`)).status, 401);
    assert.equal((await fetch(`${base}/api/builds/${build}`)).status, 401);
    assert.equal(
      (await fetch(`${base}/api/builds/${build}/logs`, { headers: { accept: 'text/event-stream' } })).status,
      401,
    );
    for (const path of ['/', `/builds/${build}`]) {
      const html = await (await fetch(`${base}${path}`)).text();
      assert.match(html, /href="\/auth\/github\/login\?next=/);
      assert.ok(!html.includes(build) || path !== '/', 'the list carries no build');
      assert.ok(!html.includes('acme/app'), `${path} shows no build data`);
      assert.ok(!html.includes('berth-data'), `${path} carries no data block`);
    }
  });

  test('a reader signs in with state and PKCE, and sees the build of the repository they can read', async () => {
    github.oauth.signInAs = 'reader';
    const cookie = await signIn(base, 'github', `/builds/${build}`);
    const sent = github.oauth.tokenRequests.at(-1);
    assert.ok(sent?.get('code_verifier'), 'the token request carries the PKCE verifier');
    assert.equal((await fetch(`${base}/api/builds/${build}`, as(cookie))).status, 200);
    const page = await (await fetch(`${base}/builds/${build}`, as(cookie))).text();
    assert.match(page, /Signed in as reader \(GitHub\)/);
    assert.ok(!page.includes('user-reader-'), 'the forge token never reaches the page');
    assert.deepEqual(await listed(cookie), [build], 'the list holds only readable repositories');
    assert.equal((await fetch(`${base}/api/builds/${other}`, as(cookie))).status, 404);
    assert.equal((await fetch(`${base}/builds/${other}`, as(cookie))).status, 404);
  });

  test('a user with no access gets 404, the same as a build that does not exist, and an empty list', async () => {
    github.oauth.signInAs = 'stranger';
    const cookie = await signIn(base, 'github');
    for (const id of [build, 'nosuchbuild']) {
      const res = await fetch(`${base}/api/builds/${id}`, as(cookie));
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: `no build ${id}` });
      assert.equal((await fetch(`${base}/api/builds/${id}/logs`, as(cookie))).status, 404);
      assert.equal((await fetch(`${base}/builds/${id}`, as(cookie))).status, 404);
    }
    assert.deepEqual(await listed(cookie), []);
    const home = await (await fetch(`${base}/`, as(cookie))).text();
    assert.ok(!home.includes(build));
  });

  test('a read-only user cannot cancel, rerun or start; a writer can, as the actor', async () => {
    github.oauth.signInAs = 'reader';
    const reader = await signIn(base, 'github');
    const post = (path: string, cookie: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { cookie, origin: base, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const start = { source: 'github:acme/app', ref: 'main' };
    assert.equal((await post(`/api/builds/${build}/cancel`, reader)).status, 403);
    assert.equal((await post(`/api/builds/${build}/rerun`, reader)).status, 403);
    assert.equal((await post('/api/builds', reader, start)).status, 403);
    assert.equal((await app.stack.service.get(build))?.status, 'queued');
    github.oauth.signInAs = 'writer';
    const writer = await signIn(base, 'github');
    const started = await post('/api/builds', writer, start);
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    assert.equal((await app.stack.service.get(id))?.request.actor, 'writer');
    const cancelled = await post(`/api/builds/${id}/cancel`, writer);
    assert.equal(cancelled.status, 202);
    const rerun = await post(`/api/builds/${build}/rerun`, writer);
    assert.equal(rerun.status, 201);
    const again = (await rerun.json()) as { id: string };
    assert.equal((await app.stack.service.get(again.id))?.request.actor, 'writer');
    const local = await post('/api/builds', writer, { source: 'local:/tmp', ref: 'main' });
    assert.ok([400, 403, 404].includes(local.status), 'local: builds are the admin token only');
  });

  test('a callback whose state is not the browser’s is refused and signs nobody in', async () => {
    github.oauth.signInAs = 'writer';
    const mine = await beginSignIn(base, 'github');
    const theirs = await beginSignIn(base, 'github');
    // The attacker's callback (their code and state) opened in the victim's browser.
    const swapped = await fetch(theirs.callback, {
      redirect: 'manual',
      headers: { cookie: mine.stateCookie },
    });
    assert.equal(swapped.status, 303);
    assert.match(swapped.headers.get('location') ?? '', /^\/signin\?failed=github/);
    assert.equal(cookieFrom(swapped, 'berth_session'), null);
    const noCookie = await fetch(mine.callback, { redirect: 'manual' });
    assert.equal(cookieFrom(noCookie, 'berth_session'), null);
    const forged = new URL(mine.callback);
    forged.searchParams.set('state', 'forged');
    const tampered = await fetch(forged, { redirect: 'manual', headers: { cookie: mine.stateCookie } });
    assert.equal(cookieFrom(tampered, 'berth_session'), null);
    // The honest callback still works, once.
    const ok = await fetch(mine.callback, { redirect: 'manual', headers: { cookie: mine.stateCookie } });
    assert.ok(cookieFrom(ok, 'berth_session'));
    const replay = await fetch(mine.callback, { redirect: 'manual', headers: { cookie: mine.stateCookie } });
    assert.equal(cookieFrom(replay, 'berth_session'), null, 'a callback is used once');
  });

  test('the session cookie is HttpOnly and SameSite=Lax; sign-out ends it and deletes the forge token', async () => {
    github.oauth.signInAs = 'reader';
    const { callback, stateCookie } = await beginSignIn(base, 'github');
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
    const header = back.headers.getSetCookie().find((c) => c.startsWith('berth_session=')) ?? '';
    assert.match(header, /HttpOnly/);
    assert.match(header, /SameSite=Lax/);
    assert.match(header, /Max-Age=28800/, '8 hours by default');
    assert.doesNotMatch(header, /Secure/, 'http public URL: no Secure flag');
    const cookie = cookieFrom(back, 'berth_session') ?? '';
    const token = [...github.oauth.tokens.keys()].at(-1) ?? '';
    const dump = await redisDump(app);
    assert.ok(!dump.includes(token), 'Redis never holds the forge token in clear');
    assert.equal((await fetch(`${base}/api/builds/${build}`, as(cookie))).status, 200);
    const out = await fetch(`${base}/session/end`, {
      method: 'POST',
      redirect: 'manual',
      ...as(cookie, { origin: base }),
    });
    assert.match(out.headers.get('set-cookie') ?? '', /berth_session=; .*Max-Age=0/);
    assert.equal((await fetch(`${base}/api/builds/${build}`, as(cookie))).status, 401);
  });

  test("the forge's answer is cached at most 5 minutes, then asked again", async () => {
    github.oauth.signInAs = 'reader';
    const cookie = await signIn(base, 'github');
    const asked = () => github.requests.filter((r) => r.path === '/repos/acme/app').length;
    const before = asked();
    assert.equal((await fetch(`${base}/api/builds/${build}`, as(cookie))).status, 200);
    assert.equal((await fetch(`${base}/builds/${build}`, as(cookie))).status, 200);
    assert.equal(asked(), before + 1, 'one forge check serves both reads');
    const keys = await app.stack.redis.keys('{berth}:access:*');
    assert.ok(keys.length > 0);
    for (const key of keys) {
      const ttl = await app.stack.redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= 300, `${key} lives ${ttl} s`);
    }
    for (const key of keys) await app.stack.redis.del(key);
    assert.equal((await fetch(`${base}/api/builds/${build}`, as(cookie))).status, 200);
    assert.equal(asked(), before + 2, 'once the cached answer is gone the forge is asked again');
  });

  test('/metrics names no repository and no user', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of ['acme/app', 'acme/secret', 'reader', 'writer', 'stranger'])
      assert.ok(!text.includes(name), name);
    assert.deepEqual(github.unexpected, []);
  });
});

describe('sessions expire', () => {
  const github = new FakeGithub('acme/app');
  let redis: TestRedis;
  let app: App;

  before(async () => {
    await github.start();
    github.addUser('reader', 11, { 'acme/app': 'read' });
    redis = await startRedis();
    app = await startServe(
      {
        REDIS_URL: redis.url,
        BERTH_SESSION_HOURS: String(1 / 3600), // one second
        ...github.signInEnv(),
      },
      'web',
    );
  });
  after(async () => {
    await app.close();
    await redis.stop();
    await github.stop();
  });

  test('after BERTH_SESSION_HOURS the session no longer reads anything', async () => {
    const id = (await app.stack.service.request(pushRequest())).id;
    const cookie = await signIn(app.url, 'github');
    assert.equal((await fetch(`${app.url}/api/builds/${id}`, { headers: { cookie } })).status, 200);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await fetch(`${app.url}/api/builds/${id}`, { headers: { cookie } })).status, 401);
    assert.match(await (await fetch(`${app.url}/`, { headers: { cookie } })).text(), /Sign in with GitHub/);
  });
});

/** Every string value in Berth's Redis, joined. */
async function redisDump(app: App): Promise<string> {
  const keys = await app.stack.redis.keys('*');
  const values = await Promise.all(
    keys.map(async (k) => ((await app.stack.redis.type(k)) === 'string' ? app.stack.redis.get(k) : '')),
  );
  return values.join('\n');
}
