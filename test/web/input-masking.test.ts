// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { QueueStack } from '../../src/queue/stack.ts';
import type { BuildWorker } from '../../src/queue/worker.ts';
import { createWebAccess } from '../../src/web/access/access.ts';
import { createBuildsApi } from '../../src/web/api/builds.ts';
import { createSessionStore } from '../../src/web/auth/sessions.ts';
import { createPagesHandler } from '../../src/web/pages/handler.ts';
import { createWebServer, type WebServer } from '../../src/web/server.ts';
import { localPlanAndRun } from '../support/local-runner.ts';
import { quietLogger, testStack, testWorker, waitForState } from '../support/queue-harness.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const TOKEN = 'test-token-0123456789';
const SECRET = 'hunter2-SECRET';
const PIPELINE = [
  'inputs:',
  '  - {name: greeting, type: string, default: hi}',
  '  - {name: apiauth, type: password}',
  'build:',
  '  hello:',
  '    container:',
  '      image: alpine',
  '      cmds: ["echo ${greeting}"]',
  '',
].join('\n');

describe('inputs are masked exactly where they are passwords (API and pages)', () => {
  let redis: TestRedis;
  let stack: QueueStack;
  let worker: BuildWorker | null = null;
  let web: WebServer;
  let base: string;
  let repo: string;

  before(async () => {
    redis = await startRedis();
    stack = testStack(redis.url);
    repo = await mkdtemp(join(tmpdir(), 'berth-inputs-'));
    await writeFile(join(repo, '.wharf-ci.yml'), PIPELINE);
    const access = createWebAccess({
      sessions: createSessionStore({ redis: stack.redis, ttlMs: 60_000 }),
      redis: stack.redis,
      adminToken: TOKEN,
      publicRead: true,
      forges: {},
      logger: quietLogger,
    });
    const api = createBuildsApi({
      service: stack.service,
      logs: stack.logs,
      access,
      localSources: [repo],
      logger: quietLogger,
    });
    const pages = createPagesHandler({ service: stack.service, access, links: { github: '', gitlab: '' } });
    web = createWebServer({ handlers: [api, pages], logger: quietLogger });
    base = `http://127.0.0.1:${(await web.listen(0, '127.0.0.1')).port}`;
  });
  after(async () => {
    await web.close();
    await worker?.close(1000);
    await stack.close();
    await redis.stop();
    await rm(repo, { recursive: true, force: true });
  });

  const start = async () => {
    const res = await fetch(`${base}/api/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        source: `local:${repo}`,
        ref: 'main',
        inputs: { greeting: 'hello', apiauth: SECRET },
      }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: string }).id;
  };
  const apiInputs = async (id: string) => {
    const record = (await (await fetch(`${base}/api/builds/${id}`)).json()) as {
      request: { inputs: Record<string, string> };
    };
    return record.request.inputs;
  };
  const page = async (id: string) => {
    const html = await (await fetch(`${base}/builds/${id}`)).text();
    const json =
      /<script type="application\/json" id="berth-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null';
    return { html, inputs: JSON.parse(json).build.request.inputs as Record<string, string> };
  };

  it('masks every input of a build not planned yet: which are passwords is not known', async () => {
    const id = await start();
    assert.deepEqual(await apiInputs(id), { greeting: '***', apiauth: '***' });
    const shown = await page(id);
    assert.deepEqual(shown.inputs, { greeting: '***', apiauth: '***' });
    assert.doesNotMatch(shown.html, new RegExp(SECRET));
  });

  it('once planned, shows the other inputs and masks the password ones, in the API, the list and the page', async () => {
    worker = await testWorker(stack, { runner: localPlanAndRun() });
    const id = await start();
    const record = await waitForState(stack, id, 'success', 'failed', 'error');
    assert.equal(record?.status, 'success', record?.message ?? '');
    assert.deepEqual(await apiInputs(id), { greeting: 'hello', apiauth: '***' });
    const list = (await (await fetch(`${base}/api/builds?repo=${encodeURIComponent(repo)}`)).json()) as {
      builds: Array<{ id: string; request: { inputs: Record<string, string> } }>;
    };
    assert.deepEqual(list.builds.find((b) => b.id === id)?.request.inputs, {
      greeting: 'hello',
      apiauth: '***',
    });
    for (const path of [`/builds/${id}`, '/']) {
      assert.doesNotMatch(await (await fetch(`${base}${path}`)).text(), new RegExp(SECRET), path);
    }
    assert.deepEqual((await page(id)).inputs, { greeting: 'hello', apiauth: '***' });
  });
});
