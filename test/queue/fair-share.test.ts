// Fair share through the public surface: a busy repository's queued builds do not hold
// back another repository's single build (BERTH_REPO_CONCURRENCY), shown with figures.
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'admin-token-0123456789';
const BUSY = 30;

let redis: TestRedis;
let app: App;
let root: { dir: string; remove: () => Promise<void> };

before(async () => {
  root = await tempDir('berth-fair-');
  redis = await startRedis();
  app = await startServe({
    REDIS_URL: redis.url,
    BERTH_API_TOKEN: TOKEN,
    BERTH_LOCAL_SOURCES: root.dir,
    BERTH_RUNTIME: 'local',
    BERTH_CONCURRENCY: '3',
    BERTH_REPO_CONCURRENCY: '2',
  });
});
after(async () => {
  await app.close();
  await redis.stop();
  await root.remove();
});

async function repo(name: string, journal: string): Promise<string> {
  const dir = join(root.dir, name);
  await mkdir(dir);
  const step = `echo "${name} start" >> ${journal}; sleep 0.5; echo "${name} end" >> ${journal}`;
  await writeFile(
    join(dir, '.wharf-ci.yml'),
    `build:\n  work:\n    container:\n      image: busybox\n      cmds: ['${step}']\n`,
  );
  return dir;
}

async function post(source: string, ref: string): Promise<string> {
  const res = await fetch(`${app.url}/api/builds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ source, ref }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

const record = async (id: string) =>
  (await (
    await fetch(`${app.url}/api/builds/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as {
    createdAt: string;
    startedAt: string;
    finishedAt: string;
  };

test(`a repository with ${BUSY} queued builds does not hold back another repository's one build`, async () => {
  const journal = join(root.dir, 'journal');
  await writeFile(journal, '');
  const busy = await repo('busy', journal);
  const other = await repo('other', journal);
  const busyIds: string[] = [];
  for (let i = 0; i < BUSY; i++) busyIds.push(await post(`local:${busy}`, `b${i}`));
  await appendFile(journal, 'other requested\n');
  const single = await post(`local:${other}`, 'main');
  assert.equal((await endedBuild(app.url, single, { token: TOKEN, timeoutMs: 60_000 })).status, 'success');
  const lines = (await readFile(journal, 'utf8')).trim().split('\n');
  const between = lines.slice(lines.indexOf('other requested'), lines.indexOf('other start'));
  const busyStarts = between.filter((l) => l === 'busy start').length;
  // Figures: how long the single build waited, against one busy build's run.
  const s = await record(single);
  const first = await record(busyIds[0] as string);
  const wait = Date.parse(s.startedAt) - Date.parse(s.createdAt);
  const run = Date.parse(first.finishedAt) - Date.parse(first.startedAt);
  console.log(
    `fair share: ${BUSY} queued in repo busy (cap 2, 3 worker slots); the other repo's build waited ${wait} ms ` +
      `(one busy build runs ${run} ms); busy builds started meanwhile: ${busyStarts}`,
  );
  // One build's slot wait: at most the busy repository's share (2) of builds can start
  // in the time one of its running builds takes to free a slot; without the caps the
  // other build would wait behind all of them.
  assert.ok(busyStarts <= 2, `${busyStarts} busy builds started while it waited`);
  for (const id of busyIds.slice(-1)) await endedBuild(app.url, id, { token: TOKEN, timeoutMs: 120_000 });
});
