// Measures the build page on a big log: time to the first log line in the page, time until
// every line is loaded, and the page's JS heap and DOM size afterwards. Times are taken in
// the page (from navigation start) for three servers: Berth itself (startApp, local
// runtime, Redis log store), and the in-memory fixture API sending one SSE event per line
// or 500-line batches.
//   node bench/web.ts [lines=100000]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPagesHandler } from '../src/web/pages/handler.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { startRedis } from '../test/support/redis.ts';
import { startServe } from '../test/support/serve.ts';
import { testAccess } from '../test/support/web-access.ts';
import { createFixtureApi, createFixtureBuilds, serveHandlers } from '../test/support/web-fixture.ts';
import { seedBigLog } from '../test/support/web-scene.ts';

const lines = Number(process.argv[2] ?? 100_000);
const links = { github: 'https://github.com', gitlab: 'https://gitlab.com' };
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const { browser, close } = await launchBrowser();
const cleanups: Array<() => unknown> = [close];

/** Records, in the page, when the first log row appears and when `lines` lines are loaded. */
const recorder = (lines: number) => {
  const marks = { first: 0, all: 0 };
  Object.assign(window, { benchMarks: marks });
  new MutationObserver(() => {
    if (!marks.first && document.querySelector('.log-rows .ln')) marks.first = performance.now();
    const count = Number(document.querySelector('.log-tools .count')?.textContent?.replace(/\D/g, '') ?? 0);
    if (!marks.all && count >= lines) marks.all = performance.now();
  }).observe(document, { childList: true, subtree: true, characterData: true });
};

async function measure(name: string, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(recorder, lines);
  const cdp = await page.context().newCDPSession(page);
  await page.goto(`${url}#s0-0`);
  await page.waitForFunction(
    () => (window as unknown as { benchMarks: { all: number } }).benchMarks.all > 0,
    undefined,
    { timeout: 300_000, polling: 500 },
  );
  const marks = await page.evaluate(
    () => (window as unknown as { benchMarks: { first: number; all: number } }).benchMarks,
  );
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await page.evaluate(() => document.getElementsByTagName('*').length);
  const scroll = await page.locator('#s0-0-log .log').evaluate(async (el) => {
    const t = performance.now();
    for (let i = 0; i < 20; i++) {
      el.scrollTop = (el.scrollHeight * i) / 20;
      await new Promise(requestAnimationFrame);
      await new Promise(requestAnimationFrame);
    }
    return (performance.now() - t) / 20;
  });
  console.log(`${name}:`);
  console.log(`  time to first log line:    ${marks.first.toFixed(0)} ms`);
  console.log(`  time to all lines loaded:  ${marks.all.toFixed(0)} ms`);
  console.log(`  JS heap used after GC:     ${mb(heap.usedSize)} (of ${mb(heap.totalSize)})`);
  console.log(`  DOM elements on the page:  ${dom}`);
  console.log(`  scroll jump + redraw:      ${scroll.toFixed(1)} ms per jump (two frames)`);
  await page.close();
}

/** A finished local build whose one step printed `lines` lines, served by Berth. */
async function realBuild(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'berth-bench-web-'));
  const redis = await startRedis();
  cleanups.push(
    () => rm(root, { recursive: true, force: true }),
    () => redis.stop(),
  );
  await writeFile(
    join(root, '.wharf-ci.yml'),
    `build:\n  noisy:\n    container:\n      image: alpine\n      cmds:\n        - seq 1 ${lines}\n`,
  );
  const app = await startServe({
    REDIS_URL: redis.url,
    BERTH_API_TOKEN: 'bench-token-0123456789',
    BERTH_PUBLIC_READ: 'true',
    BERTH_LOCAL_SOURCES: root,
    BERTH_RUNTIME: 'local',
  });
  cleanups.push(() => app.close());
  const started = performance.now();
  const { id } = await app.stack.service.request({
    forge: 'local',
    repo: root,
    ref: 'main',
    refType: 'branch',
    trigger: 'manual',
    inputs: {},
    rerun: false,
  });
  for (let status = ''; !['success', 'failed', 'error'].includes(status); ) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await app.stack.service.get(id))?.status ?? '';
  }
  console.log(`(the local build writing ${lines} lines took ${(performance.now() - started).toFixed(0)} ms)`);
  return `${app.url}/builds/${id}`;
}

try {
  console.log(`build page, one step with ${lines} log lines (times from navigation start)`);
  await measure('Berth (Redis log store, SSE batches of up to 1000 lines)', await realBuild());
  const builds = createFixtureBuilds();
  seedBigLog(builds, 'big', lines);
  const open = await testAccess({ publicRead: true });
  cleanups.push(() => open.close());
  const pages = createPagesHandler({ service: builds, access: open.access, links });
  const perLine = await serveHandlers([pages, createFixtureApi(builds)]);
  const batched = await serveHandlers([pages, createFixtureApi(builds, { batched: true })]);
  cleanups.push(
    () => perLine.server.close(),
    () => batched.server.close(),
  );
  await measure('fixture API, SSE one event per line', `${perLine.url}/builds/big`);
  await measure('fixture API, SSE 500-line batches', `${batched.url}/builds/big`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
