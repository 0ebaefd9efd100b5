// Saves screenshots of the builds list and a failed build at desktop and phone widths
// into docs/screenshots/. Run: node scripts/screenshots.ts
import { mkdirSync } from 'node:fs';
import { pino } from 'pino';
import { createActionsHandler } from '../src/web/actions/handler.ts';
import { createPagesHandler } from '../src/web/pages/handler.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { testAccess } from '../test/support/web-access.ts';
import { createFixtureApi, createFixtureBuilds, serveHandlers } from '../test/support/web-fixture.ts';
import { seedScene } from '../test/support/web-scene.ts';

const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });
const builds = createFixtureBuilds();
const ids = seedScene(builds);
const open = await testAccess({ adminToken: 'screenshot-token-0123456789', publicRead: true });
const deps = {
  service: builds,
  access: open.access,
  links: { github: 'https://github.com', gitlab: 'https://gitlab.com' },
};
const { url, server } = await serveHandlers([
  createActionsHandler({ ...deps, logger: pino({ level: 'silent' }) }),
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
    await page.close();
  }
  console.log(`screenshots saved in ${out.pathname}`);
} finally {
  await close();
  server.close();
  await open.close();
}
