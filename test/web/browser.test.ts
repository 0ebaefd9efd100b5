// Browser tests: Debian's Chromium drives the pages served by Berth's handlers over the
// in-memory build store, whose SSE sends batched events (arrays of lines); the queue's
// one-event-per-line stream is covered by browser-live.test.ts. Skips only when
// /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createActionsHandler } from '../../src/web/actions/handler.ts';
import { createSignInHandler } from '../../src/web/auth/sign-in-handler.ts';
import { createPagesHandler } from '../../src/web/pages/handler.ts';
import { hasChromium, launchBrowser, watchConsole } from '../support/browser.ts';
import { testAccess } from '../support/web-access.ts';
import { createFixtureApi, createFixtureBuilds, serveHandlers } from '../support/web-fixture.ts';
import { seedBigLog, seedScene } from '../support/web-scene.ts';

const TOKEN = 'browser-test-token-0123456789';

describe('build pages in Chromium', { skip: hasChromium ? false : 'no /usr/bin/chromium' }, () => {
  const builds = createFixtureBuilds();
  const ids = seedScene(builds);
  seedBigLog(builds, 'big', 100_000);
  let base = '';
  let browser: Browser;
  let stop: () => Promise<void>;
  let closeServer = () => {};
  const errors: string[] = [];

  before(async () => {
    const open = await testAccess({ adminToken: TOKEN, publicRead: true });
    const logger = pino({ level: 'silent' });
    const deps = {
      service: builds,
      access: open.access,
      links: { github: 'https://github.com', gitlab: 'https://gitlab.com' },
    };
    const served = await serveHandlers([
      createSignInHandler({ access: open.access, flow: open.flow, publicUrl: null, logger }),
      createActionsHandler({ ...deps, logger }),
      createPagesHandler(deps),
      createFixtureApi(builds, { batched: true }),
    ]);
    base = served.url;
    closeServer = () => {
      served.server.close();
      void open.close();
    };
    ({ browser, close: stop } = await launchBrowser());
  });
  after(async () => {
    await stop?.();
    closeServer();
  });

  const open = async (path: string, width = 1280): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    watchConsole(page, errors);
    await page.goto(`${base}${path}`);
    return page;
  };

  test('the list shows a running build turning green without a reload', async () => {
    const page = await open('/');
    const row = page.locator(`tr[data-id="${ids.running}"]`);
    await row.locator('.st-running').waitFor();
    builds.update(ids.running, (r) => {
      r.status = 'success';
      r.finishedAt = new Date().toISOString();
    });
    await row.locator('.st-success').waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#announce').textContent()) ?? '', /acme\/widgets #42 is success/);
    builds.update(ids.running, (r) => {
      r.status = 'running';
      r.finishedAt = null;
    });
    await page.close();
  });

  test('a failed build opens its failed step and renders colours, not markup', async () => {
    const page = await open(`/builds/${ids.failed}`);
    const unit = page.locator('#s1-0');
    await page.locator('#s1-0-log .ln').first().waitFor();
    assert.equal(await unit.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('#s1-1').getAttribute('aria-expanded'), 'false');
    const red = page.locator('#s1-0-log .ln .f1').first();
    assert.equal(await red.evaluate((el) => getComputedStyle(el).color), 'rgb(255, 123, 114)');
    assert.equal(await page.locator('#s1-0-log script').count(), 0);
    await page.locator('#s1-0-log .ln', { hasText: '<script>alert("not html")</script>' }).waitFor();
    assert.equal(await page.locator('.facts').getByText('hunter2').count(), 0);
    assert.equal(await page.locator('[data-action]').count(), 0, 'read-only without a session');
    await page.locator('#s1-1').focus();
    await page.keyboard.press('Enter');
    assert.equal(
      await page.locator('#s1-1').getAttribute('aria-expanded'),
      'true',
      'steps open from the keyboard',
    );
    await page.locator('#s1-1-log .ln', { hasText: 'All files pass linting.' }).waitFor();
    await page.close();
  });

  test('a queued build says it is waiting for a worker', async () => {
    const page = await open(`/builds/${ids.queued}`);
    await page.getByText('Queued: waiting for a worker to take this build.').waitFor();
    await page.close();
  });

  test('a running build page follows its live log', async () => {
    const page = await open(`/builds/${ids.running}`);
    const log = page.locator('#s0-0-log');
    await log.locator('.ln', { hasText: 'Compiling' }).waitFor();
    for (let i = 1; i <= 200; i++) {
      builds.log(ids.running, {
        stage: 'build',
        step: 'compile',
        stream: 'stdout',
        text: `\x1b[33mwarning\x1b[0m ${i}`,
      });
    }
    await log.locator('.ln', { hasText: 'warning 200' }).waitFor();
    assert.ok(await log.locator('.ln', { hasText: 'warning 200' }).isVisible(), 'followed to the end');
    assert.equal(await log.locator('.count').textContent(), '201 lines');
    await page.close();
  });

  test('100,000 log lines stay scrollable with only a window of them in the DOM', async () => {
    const page = await open('/builds/big#s0-0-L50000');
    const log = page.locator('#s0-0-log');
    await log.locator('.count', { hasText: '100,000 lines' }).waitFor({ timeout: 30_000 });
    await log.locator('.ln.hl', { hasText: 'line 50000 checkpoint' }).waitFor();
    assert.ok((await log.locator('.ln').count()) < 200);
    await log.locator('.log').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await log.locator('.ln', { hasText: 'line 100000 checkpoint' }).waitFor();
    await log.locator('.log').evaluate((el) => {
      el.scrollTop = 0;
    });
    await log.locator('.ln', { hasText: 'line 1 lorem' }).waitFor();
    await page.close();
  });

  test('cancel works after signing in with the token and is refused without', async () => {
    const page = await open(`/builds/${ids.running}`);
    const refused = await page.request.post(`${base}/api/builds/${ids.running}/cancel`);
    assert.equal(refused.status(), 401);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/builds/${ids.running}`);
    await page.getByRole('button', { name: 'Cancel build' }).click();
    await page.locator('.status-line .st-cancelled').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#build-announce').textContent(), 'Build is now cancelled.');
    assert.deepEqual(builds.cancelled, [ids.running]);
    await page.getByRole('button', { name: 'Rerun build' }).waitFor();
    await page.close();
  });

  test('a page names every module its script imports as a modulepreload, fetched once', async () => {
    for (const path of ['/', `/builds/${ids.failed}`]) {
      const page = await browser.newPage();
      watchConsole(page, errors);
      const fetched: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (/^\/assets\/[^/]+\.ts$/.test(url.pathname)) fetched.push(url.pathname + url.search);
      });
      await page.goto(`${base}${path}`);
      const entry = await page.locator('script[type="module"]').getAttribute('src');
      const preloads = await page
        .locator('link[rel="modulepreload"]')
        .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
      assert.ok(entry && preloads.length > 0, path);
      // What Chromium itself loaded is the import graph: each module once, each one preloaded.
      assert.equal(new Set(fetched).size, fetched.length, `${path}: ${fetched.join(' ')}`);
      assert.deepEqual(preloads.toSorted(), fetched.filter((url) => url !== entry).toSorted(), path);
      await page.close();
    }
  });

  test('no console errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
