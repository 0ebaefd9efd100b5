// Saves screenshots of the builds list, a failed build, the sign-in page and the start
// form at desktop and phone widths into docs/screenshots/ (GitHub sign-in goes to the
// test suite's fake GitHub). Run: node scripts/screenshots.ts
import { mkdirSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { githubUserForge } from '../src/web/access/github-user.ts';
import { gitlabUserForge } from '../src/web/access/gitlab-user.ts';
import { createActionsHandler } from '../src/web/actions/handler.ts';
import { createSignInHandler } from '../src/web/auth/sign-in-handler.ts';
import { createPagesHandler } from '../src/web/pages/handler.ts';
import { createStartOptionsHandler } from '../src/web/start/handler.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { FakeGithub } from '../test/support/fake-github.ts';
import { testAccess } from '../test/support/web-access.ts';
import { createFixtureApi, createFixtureBuilds, serveHandlers } from '../test/support/web-fixture.ts';
import { seedScene } from '../test/support/web-scene.ts';

const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });
const builds = createFixtureBuilds();
const ids = seedScene(builds);
const github = new FakeGithub('acme/widgets');
await github.start();
github.addUser('octocat', 1, { 'acme/widgets': 'write' });
github.refs.set('acme/widgets', { branches: ['main', 'release/2.x'], tags: ['v2.3.0', 'v2.2.1'] });
const pipeline = readFileSync(new URL('../test/fixtures/start-form.wharf-ci.yml', import.meta.url), 'utf8');
github.userFiles.set('acme/widgets main:.wharf-ci.yml', pipeline);
const forge = githubUserForge({
  webUrl: new URL(github.baseUrl).origin,
  apiUrl: github.baseUrl,
  clientId: github.oauth.clientId,
  clientSecret: github.oauth.clientSecret,
});
const open = await testAccess({
  adminToken: 'screenshot-token-0123456789',
  publicRead: true,
  // GitLab is only shown: the screenshots never sign in with it.
  forges: {
    github: forge,
    gitlab: gitlabUserForge({ url: 'https://gitlab.example.com', clientId: 'id', clientSecret: 'secret' }),
  },
});
const logger = pino({ level: 'silent' });
const deps = {
  service: builds,
  access: open.access,
  links: { github: 'https://github.com', gitlab: 'https://gitlab.com' },
};
const { url, server } = await serveHandlers([
  createSignInHandler({ access: open.access, flow: open.flow, publicUrl: null, logger }),
  createStartOptionsHandler({ access: open.access, logger }),
  createActionsHandler({ ...deps, logger }),
  createPagesHandler(deps),
  createFixtureApi(builds),
]);
const { browser, close } = await launchBrowser();
const sizes = [
  { name: 'desktop', width: 1280, height: 800, deviceScaleFactor: 1 },
  { name: 'phone', width: 390, height: 844, deviceScaleFactor: 2 },
];
try {
  for (const size of sizes) {
    const page = await browser.newPage({
      viewport: { width: size.width, height: size.height },
      deviceScaleFactor: size.deviceScaleFactor,
    });
    await page.goto(`${url}/`);
    await page.waitForSelector('#builds tr');
    await page.screenshot({ path: new URL(`list-${size.name}.png`, out).pathname, fullPage: true });
    await page.goto(`${url}/builds/${ids.failed}`);
    await page.waitForSelector('.log .ln');
    await page.waitForTimeout(300);
    await page.screenshot({ path: new URL(`failed-build-${size.name}.png`, out).pathname, fullPage: true });
    await page.goto(`${url}/signin`);
    await page.screenshot({ path: new URL(`signin-${size.name}.png`, out).pathname, fullPage: true });
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.waitForURL(`${url}/`);
    await page.goto(`${url}/start?source=github:acme/widgets`);
    await page.locator('#start').waitFor({ state: 'visible' });
    await page.getByLabel('Environment').selectOption('production');
    await page.getByLabel('apiauth').fill('a-secret');
    await page.screenshot({ path: new URL(`start-form-${size.name}.png`, out).pathname, fullPage: true });
    await page.close();
  }
  console.log(`screenshots saved in ${out.pathname}`);
} finally {
  await close();
  server.close();
  await open.close();
  await github.stop();
}
