// Browser tests against Berth serving real builds from the local runtime: startApp (queue,
// worker, Redis, JSON/SSE API, pages and actions), as `berth serve` runs it.
// Skips only when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app/start.ts';
import type { BuildState } from '../../src/vocab/index.ts';
import { hasChromium, launchBrowser, watchConsole } from '../support/browser.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'live-browser-token-0123456789';
const step = (name: string, cmds: string[]) =>
  `  ${name}:\n    container:\n      image: alpine\n      cmds:\n${cmds.map((c) => `        - ${JSON.stringify(c)}\n`).join('')}`;

describe('pages over real builds on the local runtime', {
  skip: hasChromium ? false : 'no /usr/bin/chromium',
}, () => {
  let root: string;
  let redis: TestRedis;
  let app: App;
  let base = '';
  let browser: Browser;
  let stopBrowser: () => Promise<void>;
  const errors: string[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-web-live-'));
    redis = await startRedis();
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_API_TOKEN: TOKEN,
      BERTH_PUBLIC_READ: 'true',
      BERTH_LOCAL_SOURCES: root,
      BERTH_RUNTIME: 'local',
    });
    base = app.url ?? '';
    ({ browser, close: stopBrowser } = await launchBrowser());
  });
  after(async () => {
    await stopBrowser?.();
    await app?.close();
    await redis?.stop();
    await rm(root, { recursive: true, force: true });
  });

  /** Writes a repository with `pipeline` and starts a build of it through the API. */
  async function build(name: string, pipeline: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await writeFile(join(dir, '.wharf-ci.yml'), pipeline);
    const res = await fetch(`${base}/api/builds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: `local:${dir}`, ref: 'main' }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }

  async function waitFor(id: string, ...states: BuildState[]): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const record = await app.stack.service.get(id);
      if (record && states.includes(record.status)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`build ${id} never reached ${states.join('/')}`);
  }

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watchConsole(page, errors);
    await page.goto(`${base}${path}`);
    return page;
  };

  test('the list shows a running build turning green without a reload', async () => {
    const id = await build('turns-green', `build:\n${step('wait', ['sleep 4', 'echo done'])}`);
    await waitFor(id, 'running');
    const page = await open('/');
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.locator('.st-running').waitFor({ timeout: 5_000 });
    await row.locator('.st-success').waitFor({ timeout: 20_000 });
    await page.close();
  });

  test('a build page follows a live log, renders colours and opens the failed step', async () => {
    const id = await build(
      'fails',
      `build:\n${step('ok', ['echo built', 'sleep 1'])}test:\n${step('unit', [
        'for i in 1 2 3 4 5 6; do printf "\\033[32mtick %s\\033[0m\\n" $i; sleep 0.3; done',
        'printf "\\033[1;31mboom\\033[0m\\n"',
        'exit 3',
      ])}`,
    );
    await waitFor(id, 'running');
    const page = await open(`/builds/${id}`);
    const unit = page.locator('.step-toggle', { hasText: 'unit' });
    const log = page.locator(`#${await unit.getAttribute('id', { timeout: 10_000 })}-log`);
    await log.locator('.ln', { hasText: 'tick 1' }).waitFor({ timeout: 10_000 });
    await log.locator('.ln', { hasText: 'boom' }).waitFor({ timeout: 15_000 });
    await page.locator('.status-line .st-failed').waitFor({ timeout: 15_000 });
    assert.equal(await unit.getAttribute('aria-expanded'), 'true');
    assert.match((await unit.textContent()) ?? '', /exit 3/);
    assert.equal(await log.locator('.ln .f2', { hasText: 'tick 6' }).count(), 1, 'green rendered as a class');
    assert.equal(await log.locator('.ln .f1.sb', { hasText: 'boom' }).count(), 1, 'bold red');
    // `ok` was running when the page opened, so it opened itself; it closes on success.
    const ok = page.locator('.step-toggle', { hasText: 'ok' });
    assert.equal(await ok.getAttribute('aria-expanded'), 'false');
    await page.close();
  });

  test("a broken .wharf-ci.yml shows Berth's diagnostics, opened", async () => {
    const id = await build('broken', 'build:\n  broken:\n    container:\n      image: alpine\n');
    await waitFor(id, 'error', 'failed');
    const page = await open(`/builds/${id}`);
    const notes = page.locator('#notes');
    await page
      .locator('#notes-log .ln', { hasText: 'missing required field: "cmds"' })
      .waitFor({ timeout: 10_000 });
    assert.equal(await notes.getAttribute('aria-expanded'), 'true');
    await page.close();
  });

  test('a build page comes with the first lines of its log; the stream brings the rest once', async () => {
    const id = await build('first', `build:\n${step('count', ['seq 1 150'])}`);
    await waitFor(id, 'success', 'failed', 'error');
    const html = await (await fetch(`${base}/builds/${id}`)).text();
    const data = JSON.parse(
      /<script type="application\/json" id="berth-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
    );
    const stored = (await app.stack.logs.read(id, null, 1000)).entries;
    assert.ok(stored.length > 150);
    assert.deepEqual(
      data.log?.lines.map((line: unknown[]) => line[4]),
      stored.slice(0, 100).map((entry) => entry.text),
    );
    assert.equal(data.log.after, stored[99]?.id);
    const page = await open(`/builds/${id}#s0-0-L101`);
    const log = page.locator('#s0-0-log');
    await log.locator('.count', { hasText: `${stored.length} lines` }).waitFor();
    assert.equal(await log.locator('.ln.hl .t').textContent(), stored[100]?.text);
    await page.close();
  });

  test('100,000 log lines stay scrollable', async () => {
    const id = await build('big', `build:\n${step('noisy', ['seq 1 100000'])}`);
    await waitFor(id, 'success', 'failed', 'error');
    const page = await open(`/builds/${id}#s0-0`);
    const log = page.locator('#s0-0-log');
    await log.locator('.count', { hasText: /^100,0\d\d lines$/ }).waitFor({ timeout: 60_000 });
    assert.ok((await log.locator('.ln').count()) < 200, 'only a window of rows is in the DOM');
    await log.locator('.log').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await log.locator('.ln .t', { hasText: /^100000$/ }).waitFor();
    await log.locator('.log').evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    await log
      .locator('.ln .t', { hasText: /^50\d\d\d$/ })
      .first()
      .waitFor();
    await page.close();
  });

  test('cancel and rerun work with the token; cancel is refused without', async () => {
    const id = await build('cancel-me', `build:\n${step('long', ['echo waiting', 'sleep 60'])}`);
    await waitFor(id, 'running');
    const page = await open(`/builds/${id}`);
    assert.equal(await page.locator('[data-action]').count(), 0);
    const refused = await page.request.post(`${base}/api/builds/${id}/cancel`);
    assert.equal(refused.status(), 401);
    assert.equal((await app.stack.service.get(id))?.status, 'running');
    await page.goto(`${base}/signin?next=/builds/${id}`);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Cancel build' }).click();
    await page.locator('.status-line .st-cancelled').waitFor({ timeout: 20_000 });
    assert.equal((await app.stack.service.get(id))?.status, 'cancelled');
    await page.getByRole('button', { name: 'Rerun build' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/builds/') && !url.pathname.endsWith(id));
    const rerun = decodeURIComponent(new URL(page.url()).pathname.slice('/builds/'.length));
    await waitFor(rerun, 'running');
    await page.getByRole('button', { name: 'Cancel build' }).click();
    await waitFor(rerun, 'cancelled');
    await page.close();
  });

  test('no console errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
