import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild, startBuild, until } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { failoverPipeline, LINES, numbered, oneToN, runCount, textLog } from '../support/failover-build.ts';
import { sentinelTestsCanRun, startSentinelSet, type TestSentinelSet } from '../support/redis-sentinel.ts';
import { startServe } from '../support/serve.ts';
import { readSse } from '../support/sse.ts';

const TOKEN = 'sentinel-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('Berth on Redis behind Sentinel: the primary is SIGKILLed mid-build', {
  skip: !sentinelTestsCanRun(),
}, () => {
  let set: TestSentinelSet;
  let app: App;
  let folder: Awaited<ReturnType<typeof tempDir>>;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let runs: string;

  before(async () => {
    set = await startSentinelSet();
    folder = await tempDir('berth-sentinel-src-');
    outside = await tempDir('berth-sentinel-runs-');
    runs = join(outside.dir, 'runs');
    await writeFile(join(folder.dir, '.wharf-ci.yml'), failoverPipeline(runs));
    app = await startServe({
      REDIS_SENTINELS: set.sentinels,
      REDIS_SENTINEL_NAME: set.name,
      BERTH_RUNTIME: 'local',
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: folder.dir,
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
      // Longer than the test takes from the replica's lag to the kill, on a loaded machine.
      BERTH_REDIS_WAIT_MS: '3000',
    });
  });
  after(async () => {
    try {
      await app?.close();
    } finally {
      await set?.stop();
      await folder?.remove();
      await outside?.remove();
    }
  });

  const log = (id: string) => textLog(app.url, auth, id);

  it('the build ends success with every line once, in order, run once; the next build runs too', async () => {
    const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    const live = readSse(`${app.url}/api/builds/${id}/logs`, auth, (events) =>
      events.some((e) => e.event === 'end'),
    );
    await until(async () => numbered(await log(id)).includes(10), 30_000);
    // The replica lags: lines the primary stores from now on are on the primary only.
    const oldPort = await set.primaryPort();
    const resume = await set.lagReplicas();
    try {
      const before = Math.max(...numbered(await log(id)));
      await until(async () => Math.max(...numbered(await log(id))) > before, 10_000);
      await set.killPrimary();
    } finally {
      resume();
    }
    const newPort = await set.failedOver(oldPort);
    assert.notEqual(newPort, oldPort);

    const ended = await endedBuild(app.url, id, { token: TOKEN, timeoutMs: 60_000 });
    assert.equal(ended.status, 'success', JSON.stringify(ended));
    assert.deepEqual(numbered(await log(id)), oneToN, 'the stored log has every line once, in order');
    const events = await live;
    const seen = numbered(
      events
        .filter((e) => e.event === 'lines')
        .flatMap((e) =>
          (JSON.parse(e.data) as Array<[string, string, string, number, string]>).map((l) => l[4]),
        ),
    );
    assert.deepEqual(seen, oneToN, 'the live follower saw every line once, in order');
    assert.equal(await runCount(runs), 1, 'the step ran once');

    const second = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    const next = await endedBuild(app.url, second, { token: TOKEN, timeoutMs: 60_000 });
    assert.equal(next.status, 'success', JSON.stringify(next));
    assert.deepEqual(numbered(await log(second)), oneToN);
    assert.equal(await runCount(runs), 2, 'the second build ran once');
  });

  it('a cancel after the failover reaches the worker: the running build stops', async () => {
    const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    await until(async () => numbered(await log(id)).includes(5), 30_000);
    const res = await fetch(`${app.url}/api/builds/${id}/cancel`, { method: 'POST', headers: auth });
    assert.equal(res.status, 202, await res.text());
    const ended = await endedBuild(app.url, id, { token: TOKEN, timeoutMs: 30_000 });
    assert.equal(ended.status, 'cancelled', JSON.stringify(ended));
    assert.ok(numbered(await log(id)).length < LINES, 'the step was stopped before its end');
  });
});
