import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createActionsHandler } from '../../src/web/actions/handler.ts';
import { createSessionAuth } from '../../src/web/auth/session.ts';
import { createFixtureBuilds, serveHandlers } from '../support/web-fixture.ts';
import { seedScene } from '../support/web-scene.ts';

const TOKEN = 'test-api-token-0123456789';
const builds = createFixtureBuilds();
const ids = seedScene(builds);
const logger = pino({ level: 'silent' });
let base = '';
let readOnly = '';
const servers: { close(): void }[] = [];

before(async () => {
  const auth = createSessionAuth({ token: TOKEN, secure: false });
  const a = await serveHandlers([createActionsHandler({ service: builds, auth, logger })]);
  const b = await serveHandlers([createActionsHandler({ service: builds, auth: null, logger })]);
  base = a.url;
  readOnly = b.url;
  servers.push(a.server, b.server);
});
after(() => {
  for (const s of servers) s.close();
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

test('without BERTH_API_TOKEN every action is refused', async () => {
  const res = await post(`${readOnly}/api/builds/${ids.running}/cancel`, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal(res.status, 403);
  assert.equal((await builds.get(ids.running))?.status, 'running');
});

test('signing in trades the token for a session cookie that authorises actions', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const wrong = await post(`${base}/session`, form, 'token=wrong&next=%2Fbuilds%2Fb3');
  assert.equal(wrong.status, 303);
  assert.equal(wrong.headers.get('location'), '/signin?failed=1&next=%2Fbuilds%2Fb3');
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
});

test('an unknown build is a 404', async () => {
  const res = await post(`${base}/api/builds/nope/rerun`, { authorization: `Bearer ${TOKEN}` });
  assert.equal(res.status, 404);
});
