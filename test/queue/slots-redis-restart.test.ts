// A restart of a durable Redis (append-only file) loses no place in line: the waiting
// builds of a group still start one at a time, in request order, after it.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild, until } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'admin-token-0123456789';
let redis: TestRedis;
let app: App;
let root: { dir: string; remove: () => Promise<void> };

before(async () => {
  root = await tempDir('berth-slots-restart-');
  redis = await startRedis({ durable: true });
  app = await startServe({
    REDIS_URL: redis.url,
    BERTH_API_TOKEN: TOKEN,
    BERTH_LOCAL_SOURCES: root.dir,
    BERTH_RUNTIME: 'local',
  });
});
after(async () => {
  await app.close();
  await redis.stop();
  await root.remove();
});

async function post(ref: string): Promise<string> {
  const res = await fetch(`${app.url}/api/builds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ source: `local:${root.dir}`, ref }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

const message = async (id: string) =>
  (
    (await (
      await fetch(`${app.url}/api/builds/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as {
      message: string | null;
    }
  ).message;

test('waiting builds keep their places across a Redis restart', async () => {
  const journal = join(root.dir, 'journal');
  await writeFile(journal, '');
  await writeFile(
    join(root.dir, '.wharf-ci.yml'),
    `concurrency: {group: line}\nbuild:\n  work:\n    container:\n      image: busybox\n      cmds: ['echo "start $BERTH_BUILD" >> ${journal}; sleep 1; echo "end $BERTH_BUILD" >> ${journal}']\n`,
  );
  const ids = [await post('a'), await post('b'), await post('c')];
  await until(async () => (await message(ids[2] as string)) === 'waiting for line (1 ahead)');
  await redis.restart();
  const ends = [];
  for (const id of ids)
    ends.push((await endedBuild(app.url, id, { token: TOKEN, timeoutMs: 60_000 })).status);
  const lines = (await readFile(journal, 'utf8')).trim().split('\n');
  const starts = lines.filter((l) => l.startsWith('start'));
  // b and c ran one at a time, b first; a (running across the restart) may have ended either way.
  const order = lines.slice(lines.indexOf(starts.find((l) => l !== starts[0]) ?? ''));
  assert.equal(order.length, 4, lines.join(' | '));
  assert.deepEqual(
    order.map((l) => l.split(' ')[0]),
    ['start', 'end', 'start', 'end'],
    lines.join(' | '),
  );
  assert.ok(Number(order[0]?.split(' ')[1]) < Number(order[2]?.split(' ')[1]), 'b before c');
  assert.deepEqual(ends.slice(1), ['success', 'success']);
});
