// In Chromium: sign in with (the fake) GitHub → the list shows the readable builds →
// the start form (refs, environment, typed inputs) → the new build's page. Berth runs
// as `berth serve --role web`. Skips only when /usr/bin/chromium is missing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { App } from '../../src/app/start.ts';
import { CSP } from '../../src/web/pages/respond.ts';
import { hasChromium, launchBrowser, watchConsole } from '../support/browser.ts';
import { FakeGithub } from '../support/fake-github.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { pushRequest } from '../support/requests.ts';
import { startServe } from '../support/serve.ts';

describe('sign-in and the start form in Chromium', {
  skip: hasChromium ? false : 'no /usr/bin/chromium',
}, () => {
  const github = new FakeGithub('acme/app');
  let redis: TestRedis;
  let app: App;
  let browser: Browser;
  let stopBrowser: () => Promise<void>;
  const ids: Record<string, string> = {};

  before(async () => {
    await github.start();
    github.addUser('writer', 12, { 'acme/app': 'write' });
    github.refs.set('acme/app', { branches: ['main'], tags: ['v1.0.0'] });
    const pipeline = await readFile(new URL('../fixtures/start-form.wharf-ci.yml', import.meta.url), 'utf8');
    for (const ref of ['main', 'v1.0.0']) github.userFiles.set(`acme/app ${ref}:.wharf-ci.yml`, pipeline);
    redis = await startRedis();
    app = await startServe(
      {
        REDIS_URL: redis.url,
        ...github.signInEnv(),
      },
      'web',
    );
    ids.mine = (await app.stack.service.request(pushRequest())).id;
    ids.hidden = (
      await app.stack.service.request(pushRequest({ repo: 'other/private', sha: 'b'.repeat(40) }))
    ).id;
    ({ browser, close: stopBrowser } = await launchBrowser());
  });
  after(async () => {
    await stopBrowser?.();
    await app?.close();
    await redis?.stop();
    await github.stop();
  });

  test('sign in → list → start form → the build page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchConsole(page);
    await page.goto(`${app.url}/`);
    assert.equal(await page.locator('#builds').count(), 0, 'signed out: no builds table');
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.waitForURL(`${app.url}/`);
    await page.locator(`#builds a[href="/builds/${ids.mine}"]`).first().waitFor();
    assert.equal(
      await page.locator(`a[href="/builds/${ids.hidden}"]`).count(),
      0,
      'unreadable builds are not listed',
    );
    assert.match((await page.locator('header.site').textContent()) ?? '', /Signed in as writer/);

    await page.getByRole('link', { name: 'Start a build' }).click();
    await page.getByLabel('Repository', { exact: true }).fill('github:acme/app');
    await page.getByRole('button', { name: 'Load' }).click();
    await page.locator('#start').waitFor({ state: 'visible' });
    await page.getByLabel('Branch or tag').selectOption('v1.0.0');
    await page.locator('#start-status').filter({ hasText: 'at v1.0.0' }).waitFor();
    await page.getByLabel('Environment').selectOption('production');
    assert.equal(await page.getByLabel('greeting').inputValue(), 'hello');
    assert.equal(await page.getByLabel('replicas').getAttribute('type'), 'number');
    assert.equal(await page.locator('select[data-input="flavour"]').count(), 1, 'a choice is a select');
    const password = page.getByLabel('apiauth');
    assert.equal(await password.getAttribute('type'), 'password');
    assert.equal(await password.inputValue(), '', 'no password default is sent to the page');
    await page.getByLabel('flavour').selectOption('chocolate');
    await password.fill('hunter2-SECRET');
    await page.getByRole('button', { name: 'Start build' }).click();

    await page.waitForURL(/\/builds\/[a-z0-9]+$/);
    const id = page.url().split('/').pop() ?? '';
    await page.locator('#build-header').filter({ hasText: 'acme/app' }).waitFor();
    const record = await app.stack.service.get(id);
    assert.equal(record?.request.actor, 'writer');
    assert.equal(record?.request.ref, 'v1.0.0');
    assert.equal(record?.request.refType, 'tag');
    assert.equal(record?.request.environment, 'production');
    assert.equal(record?.request.inputs.flavour, 'chocolate');
    assert.equal(record?.request.inputs.apiauth, undefined);
    assert.ok(!(await page.content()).includes('hunter2-SECRET'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a build page carries the start of its log only to whom may read the build', async () => {
    for (const [id, text] of [
      [ids.mine, 'a line for readers of acme/app'],
      [ids.hidden, 'a line for readers of other/private'],
    ] as const) {
      const sink = app.stack.logs.sink(id ?? '');
      sink.append({ stage: 'build', step: 'compile', stream: 'stdout', time: Date.now(), text });
      await sink.close();
    }
    const signedOut = await fetch(`${app.url}/builds/${ids.mine}`);
    assert.doesNotMatch(await signedOut.text(), /a line for readers/);
    const page = await browser.newPage();
    await page.goto(`${app.url}/signin`);
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.waitForURL(`${app.url}/`);
    const hidden = await page.request.get(`${app.url}/builds/${ids.hidden}`);
    assert.equal(hidden.status(), 404);
    assert.doesNotMatch(await hidden.text(), /a line for readers/);
    const mine = await page.request.get(`${app.url}/builds/${ids.mine}`);
    assert.equal(mine.headers()['content-security-policy'], CSP);
    assert.match(await mine.text(), /a line for readers of acme\/app/);
    await page.close();
  });
});
