// A worker killed while its build holds the group's slot: the build is taken over by
// another worker (the slot stays with the build, it does not leak), and the group's next
// build starts only once it has ended. Through the public surface: berth serve processes,
// POST /api/builds, a pipeline file with `concurrency`.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild, until } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';
import { exited, spawnServeWorker } from '../support/spawn-worker.ts';

const TOKEN = 'admin-token-0123456789';
const fast = { BERTH_LOCK_SECONDS: '2', BERTH_STALLED_CHECK_SECONDS: '1' };

let redis: TestRedis;
let web: App;
let root: { dir: string; remove: () => Promise<void> };

before(async () => {
  root = await tempDir('berth-slot-takeover-');
  redis = await startRedis();
  web = await startServe(
    { REDIS_URL: redis.url, BERTH_API_TOKEN: TOKEN, BERTH_LOCAL_SOURCES: root.dir, ...fast },
    'web',
  );
});
after(async () => {
  await web.close();
  await redis.stop();
  await root.remove();
});

async function post(ref: string): Promise<string> {
  const res = await fetch(`${web.url}/api/builds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ source: `local:${root.dir}`, ref }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

test('a killed worker’s slot stays with its build through the takeover, then the next build runs', async () => {
  const journal = join(root.dir, 'journal');
  await writeFile(journal, '');
  await writeFile(
    join(root.dir, '.wharf-ci.yml'),
    `concurrency: {group: deploy}\nbuild:\n  work:\n    container:\n      image: busybox\n      cmds: ['echo "start $BERTH_BUILD" >> ${journal}; sleep 1.5; echo "end $BERTH_BUILD" >> ${journal}']\n`,
  );
  const env = { BERTH_LOCAL_SOURCES: root.dir, ...fast };
  const first = await spawnServeWorker(redis.url, env);
  let second: Awaited<ReturnType<typeof spawnServeWorker>> | null = null;
  try {
    const a = await post('a');
    await until(async () => (await readFile(journal, 'utf8')).includes('start'));
    const b = await post('b');
    first.kill('SIGKILL');
    await exited(first);
    second = await spawnServeWorker(redis.url, env);
    assert.equal((await endedBuild(web.url, a, { token: TOKEN, timeoutMs: 60_000 })).status, 'success');
    assert.equal((await endedBuild(web.url, b, { token: TOKEN, timeoutMs: 60_000 })).status, 'success');
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    // a ran, was killed, ran again to its end; only then b.
    const bStart = lines.findIndex((l) => l.startsWith('start') && l !== lines[0]);
    assert.deepEqual(lines.slice(bStart - 1, bStart), [lines[0]?.replace('start', 'end')], lines.join(' | '));
    assert.equal(lines.filter((l) => l === lines[0]).length, 2, 'a ran twice (taken over)');
    assert.equal(lines.at(-1)?.startsWith('end'), true);
    const queue = (await (
      await fetch(`${web.url}/api/queue`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as {
      holders: unknown[];
      waiters: unknown[];
    };
    assert.deepEqual([queue.holders, queue.waiters], [[], []], 'no slot left behind');
  } finally {
    first.kill('SIGKILL');
    second?.kill('SIGKILL');
  }
});
