import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { QueueStack } from '../../src/queue/stack.ts';
import type { BuildWorker } from '../../src/queue/worker.ts';
import { createWebAccess } from '../../src/web/access/access.ts';
import { createBuildsApi } from '../../src/web/api/builds.ts';
import { createHealthHandler } from '../../src/web/api/health.ts';
import { createSessionStore } from '../../src/web/auth/sessions.ts';
import { createWebServer, type WebServer } from '../../src/web/server.ts';
import { quietLogger, testStack, testWorker, waitForState } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { readSse, type SseEvent } from '../support/sse.ts';

const TOKEN = 'test-token-0123456789';

describe('builds API', () => {
  let server: TestRedis;
  let stack: QueueStack;
  let worker: BuildWorker;
  let web: WebServer;
  let base: string;
  let allowed: string;
  let outside: string;

  before(async () => {
    server = await startRedis();
    stack = testStack(server.url);
    worker = await testWorker(stack);
    allowed = await mkdtemp(join(tmpdir(), 'berth-allowed-'));
    outside = await mkdtemp(join(tmpdir(), 'berth-outside-'));
    const api = createBuildsApi({
      service: stack.service,
      logs: stack.logs,
      access: createWebAccess({
        sessions: createSessionStore({ redis: stack.redis, ttlMs: 60_000 }),
        redis: stack.redis,
        adminToken: TOKEN,
        publicRead: true,
        forges: {},
        logger: quietLogger,
      }),
      localSources: [allowed],
      logger: quietLogger,
      heartbeatMs: 100,
    });
    const health = createHealthHandler({
      redis: async () => (await stack.redis.ping()) === 'PONG',
      worker: async () => worker.isRunning(),
    });
    web = createWebServer({ handlers: [health, api], logger: quietLogger });
    const address = await web.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await web.close();
    await worker.close(1000);
    await stack.close();
    await server.stop();
    await rm(allowed, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const post = (body: unknown, token: string | null = TOKEN) =>
    fetch(`${base}/api/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('refuses POST /api/builds without the right bearer token', async () => {
    assert.equal((await post({ source: `local:${allowed}`, ref: 'main' }, null)).status, 401);
    assert.equal(
      (await post({ source: `local:${allowed}`, ref: 'main' }, 'wrong-token-0123456789')).status,
      401,
    );
  });

  it('answers 400 naming the bad field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ source: 'svn:x', ref: 'main' }, /^source: /],
      [{ source: `local:${allowed}` }, /^ref: /],
      [{ source: 'github:acme/app', ref: 'main', sha: 'nope' }, /^sha: /],
      [{ source: `local:${outside}`, ref: 'main' }, /^source: .*BERTH_LOCAL_SOURCES/],
      [{ source: `local:${allowed}/../${outside.split('/').at(-1)}`, ref: 'main' }, /BERTH_LOCAL_SOURCES/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(((await res.json()) as { error: string }).error, message);
    }
  });

  it('starts a local build (201) and serves its record and logs', async () => {
    const res = await post({ source: `local:${allowed}`, ref: 'main', inputs: { lines: '2' } });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    await waitForState(stack, id, 'success', 'failed', 'error');
    const record = (await (await fetch(`${base}/api/builds/${id}`)).json()) as Record<string, unknown>;
    assert.equal(record.status, 'success');
    assert.equal(record.source, `local:${allowed}`);
    assert.equal(record.ref, 'main');
    assert.equal(
      (record.request as { inputs: Record<string, string> }).inputs.lines,
      '2',
      'not a password input',
    );
    const list = (await (await fetch(`${base}/api/builds?repo=${encodeURIComponent(allowed)}`)).json()) as {
      builds: Array<{ id: string }>;
    };
    assert.deepEqual(
      list.builds.map((b) => b.id),
      [id],
    );
    assert.equal(
      await (await fetch(`${base}/api/builds/${id}/logs`)).text(),
      '[build/main] line 0\n[build/main] line 1\n',
    );
    assert.equal((await fetch(`${base}/api/builds/nosuchbuild`)).status, 404);
  });

  it('filters the list by status and a cancel filter by id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await post({ source: `local:${allowed}`, ref: 'main', inputs: { lines: '1' } });
      ids.push(((await res.json()) as { id: string }).id);
    }
    for (const id of ids) await waitForState(stack, id, 'success', 'failed', 'error');
    const listed = async (query: string) => {
      const res = await fetch(`${base}/api/builds?repo=${encodeURIComponent(allowed)}&${query}`);
      return ((await res.json()) as { builds: Array<{ id: string }> }).builds.map((b) => b.id);
    };
    for (const id of ids) assert.ok((await listed('status=success')).includes(id));
    assert.deepEqual(await listed('status=failed,cancelled'), []);
    const bad = await fetch(`${base}/api/builds?status=green`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^status: /);
    const byId = await stack.service.list({ id: ids[0] as string, repo: allowed });
    assert.deepEqual(
      byId.map((r) => r.id),
      [ids[0]],
    );
  });

  it('follows a log live over SSE and resumes with Last-Event-ID or ?after= without losing or repeating lines', async () => {
    const res = await post({
      source: `local:${allowed}`,
      ref: 'sse',
      inputs: { lines: '300', sleepMs: '400' },
    });
    const { id } = (await res.json()) as { id: string };
    const url = `${base}/api/builds/${id}/logs`;
    // `lines` events: arrays of [stage, step, stream, time, text].
    const lines = (events: SseEvent[]): Array<{ text: string }> =>
      events
        .filter((e) => e.event === 'lines')
        .flatMap((e) => JSON.parse(e.data).map((l: string[]) => ({ text: l[4] })));
    const first = await readSse(url, {}, (events) => lines(events).length >= 120);
    const lastId = first.at(-1)?.id ?? '';
    const rest = await readSse(url, { 'last-event-id': lastId }, (events) => events.at(-1)?.event === 'end');
    const texts = lines([...first, ...rest]).map((line) => line.text);
    assert.deepEqual(
      texts,
      Array.from({ length: 300 }, (_, i) => `line ${i}`),
    );
    assert.deepEqual(JSON.parse(rest.at(-1)?.data ?? '{}'), { status: 'success' });

    // `?after=` (what a build page that came with the first lines asks for); Last-Event-ID wins.
    const ids = (await stack.logs.read(id, null, 300)).entries.map((entry) => entry.id);
    const ended = (events: SseEvent[]) => events.at(-1)?.event === 'end';
    const fromQuery = await readSse(`${url}?after=${ids[99]}`, {}, ended);
    assert.deepEqual(
      lines(fromQuery).map((line) => line.text),
      Array.from({ length: 200 }, (_, i) => `line ${i + 100}`),
    );
    const fromHeader = await readSse(`${url}?after=${ids[99]}`, { 'last-event-id': ids[199] ?? '' }, ended);
    assert.equal(lines(fromHeader)[0]?.text, 'line 200');
  });

  it('reports health and readiness', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.deepEqual(
      [ready.status, await ready.json()],
      [200, { ok: true, checks: { redis: true, worker: true } }],
    );
  });
});
