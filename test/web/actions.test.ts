import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createActionsHandler } from '../../src/web/actions/handler.ts';
import { createSignInHandler } from '../../src/web/auth/sign-in-handler.ts';
import { testAccess } from '../support/web-access.ts';
import { createFixtureBuilds, serveHandlers } from '../support/web-fixture.ts';
import { seedScene } from '../support/web-scene.ts';

const TOKEN = 'test-api-token-0123456789';
const builds = createFixtureBuilds();
const ids = seedScene(builds);
const logger = pino({ level: 'silent' });
let base = '';
let readOnly = '';
const closers: Array<() => unknown> = [];

before(async () => {
  const withToken = await testAccess({ adminToken: TOKEN });
  const without = await testAccess();
  const handlers = ({ access, flow }: typeof withToken) => [
    createSignInHandler({ access, flow, publicUrl: null, logger }),
    createActionsHandler({ service: builds, access, logger }),
  ];
  const a = await serveHandlers(handlers(withToken));
  const b = await serveHandlers(handlers(without));
  base = a.url;
  readOnly = b.url;
  closers.push(
    () => a.server.close(),
    () => b.server.close(),
    () => withToken.close(),
    () => without.close(),
  );
});
after(async () => {
  for (const close of closers) await close();
});

const post = (url: string, headers: Record<string, string> = {}, body?: string) =>
  fetch(url, { method: 'POST', headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });

test('cancel is refused without the token and works with it', async () => {
  const refused = await post(`${base}/api/builds/${ids.queued}/cancel`);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await builds.get(ids.queued))?.status, 'queued');
  const ok = await post(`${base}/api/builds/${ids.queued}/cancel`, { authorization: `Bearer ${TOKEN}` });
  assert.equal(ok.status, 202);
  assert.deepEqual(await ok.json(), { cancelled: [ids.queued] });
  assert.equal((await builds.get(ids.queued))?.status, 'cancelled');
  const again = await post(`${base}/api/builds/${ids.queued}/cancel`, { authorization: `Bearer ${TOKEN}` });
  assert.equal(again.status, 409);
});

test('rerun queues a new manual build of the same commit', async () => {
  const res = await post(`${base}/api/builds/${ids.failed}/rerun`, { authorization: `Bearer ${TOKEN}` });
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  const record = await builds.get(id);
  const original = await builds.get(ids.failed);
  assert.equal(record?.request.rerun, true);
  assert.equal(record?.request.trigger, 'manual');
  assert.equal(record?.request.sha, original?.sha);
  assert.equal(record?.request.environment, 'staging');
});

test('without BERTH_API_TOKEN no bearer token is the admin', async () => {
  const res = await post(`${readOnly}/api/builds/${ids.running}/cancel`, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal(res.status, 401);
  assert.equal((await builds.get(ids.running))?.status, 'running');
});

test('signing in trades the token for a session cookie that authorises actions', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const wrong = await post(`${base}/session`, form, 'token=wrong&next=%2Fbuilds%2Fb3');
  assert.equal(wrong.status, 303);
  assert.equal(wrong.headers.get('location'), '/signin?failed=token&next=%2Fbuilds%2Fb3');
  assert.equal(wrong.headers.get('set-cookie'), null);
  const right = await post(`${base}/session`, form, `token=${TOKEN}&next=//evil.example`);
  assert.equal(right.headers.get('location'), '/');
  const cookie = (right.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.ok(!cookie.includes(TOKEN));
  const crossSite = await post(`${base}/api/builds/${ids.running}/cancel`, {
    cookie,
    origin: 'https://evil.example',
  });
  assert.equal(crossSite.status, 403);
  const res = await post(`${base}/api/builds/${ids.running}/cancel`, { cookie, origin: base });
  assert.equal(res.status, 202);
  const out = await post(`${base}/session/end`, { cookie });
  assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
  const after = await post(`${base}/api/builds/${ids.failed}/rerun`, { cookie, origin: base });
  assert.equal(after.status, 401, 'signing out ends the session on the server, not only in the browser');
});

test('the address to return to after sign-in never leaves this origin', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const attempts = [
    '/\t/evil.example',
    '/\n/evil.example',
    '/\\evil.example',
    '//evil.example',
    '/\t\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/.//evil.example',
    ' //evil.example',
  ];
  for (const next of attempts) {
    const res = await post(`${base}/session`, form, new URLSearchParams({ token: TOKEN, next }).toString());
    const location = res.headers.get('location') ?? '';
    assert.equal(
      new URL(location, 'https://berth.example').origin,
      'https://berth.example',
      JSON.stringify(next),
    );
    assert.ok(
      !/^\s*[/\\][/\\]/.test(location.replace(/[\t\n\r]/g, '')),
      `${JSON.stringify(next)} → ${location}`,
    );
  }
  const kept = await post(
    `${base}/session`,
    form,
    `token=${TOKEN}&next=${encodeURIComponent('/builds/b3?x=1#s1-0-L4')}`,
  );
  assert.equal(kept.headers.get('location'), '/builds/b3?x=1#s1-0-L4');
});

test('an unknown build is a 404', async () => {
  const res = await post(`${base}/api/builds/nope/rerun`, { authorization: `Bearer ${TOKEN}` });
  assert.equal(res.status, 404);
});
