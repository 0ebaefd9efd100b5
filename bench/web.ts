// Measures the build page on a big log: time to the first log line in the page, time until
// every line is loaded, and the page's JS heap and DOM size afterwards. Times are taken in
// the page (from navigation start), for an SSE stream of one event per line and one of
// 500-line batches.
//   node bench/web.ts [lines=100000]
import { createPagesHandler } from '../src/web/pages/handler.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { createFixtureApi, createFixtureBuilds, serveHandlers } from '../test/support/web-fixture.ts';
import { seedBigLog } from '../test/support/web-scene.ts';

const lines = Number(process.argv[2] ?? 100_000);
const builds = createFixtureBuilds();
seedBigLog(builds, 'big', lines);
const links = { github: 'https://github.com', gitlab: 'https://gitlab.com' };
const pages = createPagesHandler({ service: builds, auth: null, links });
const perLine = await serveHandlers([pages, createFixtureApi(builds)]);
const batched = await serveHandlers([pages, createFixtureApi(builds, { batched: true })]);
const { browser, close } = await launchBrowser();
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Records, in the page, when the first log row and the full line count appear. */
const recorder = (total: string) => {
  const marks = { first: 0, all: 0 };
  Object.assign(window, { benchMarks: marks });
  new MutationObserver(() => {
    if (!marks.first && document.querySelector('.log-rows .ln')) marks.first = performance.now();
    if (!marks.all && document.querySelector('.log-tools .count')?.textContent === total)
      marks.all = performance.now();
  }).observe(document, { childList: true, subtree: true, characterData: true });
};

async function measure(name: string, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const total = `${lines.toLocaleString('en')} lines`;
  await page.addInitScript(recorder, total);
  const cdp = await page.context().newCDPSession(page);
  await page.goto(`${url}/builds/big#s0-0`);
  await page.locator('#s0-0-log .count', { hasText: total }).waitFor({ timeout: 120_000 });
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
  console.log(`  scroll jump + redraw:      ${scroll.toFixed(1)} ms per jump`);
  await page.close();
}

try {
  console.log(`build page, one step with ${lines} log lines (times from navigation start)`);
  await measure('SSE, one event per line', perLine.url);
  await measure('SSE, 500-line batches', batched.url);
} finally {
  await close();
  perLine.server.close();
  batched.server.close();
}
