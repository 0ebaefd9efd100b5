// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
// Concurrency groups through the public surface: a pipeline file with `concurrency`, builds
// posted to `berth serve`'s POST /api/builds, what the API says while they wait.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild, until } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'admin-token-0123456789';

/** A pipeline whose one step appends `start <ref>` / `end <ref>` lines to a shared file around a sleep. */
function pipeline(journal: string, concurrency: string, sleep = '0.4'): string {
  return `${concurrency}
build:
  work:
    container:
      image: busybox
      cmds:
        - echo "start $BERTH_BUILD" >> ${journal}
        - sleep ${sleep}
        - echo "end $BERTH_BUILD" >> ${journal}
`;
}

interface ApiBuild {
  id: string;
  buildRef: number;
  status: string;
  message: string | null;
}

/** POST /api/builds for the folder at `ref` (builds of different branches: none supersedes another). */
async function post(base: string, source: string, ref: string): Promise<string> {
  const res = await fetch(`${base}/api/builds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ source, ref }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

const admin = { authorization: `Bearer ${TOKEN}` };

/** A folder of its own (a repository) inside the allowed sources, with this pipeline. */
async function repoFolder(root: string, name: string, text: string): Promise<string> {
  const folder = join(root, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, '.wharf-ci.yml'), text);
  return folder;
}

const get = async (base: string, id: string) =>
  (await (
    await fetch(`${base}/api/builds/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as ApiBuild;

describe('concurrency groups', () => {
  let redis: TestRedis;
  let app: App;
  let base = '';
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};

  before(async () => {
    const folder = await tempDir('berth-groups-');
    dir = folder.dir;
    cleanup = folder.remove;
    redis = await startRedis();
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: dir,
      BERTH_RUNTIME: 'local',
      BERTH_CONCURRENCY: '8',
      WHARF_VAR_WHERE: 'main',
    });
    base = app.url;
  });
  after(async () => {
    await app.close();
    await redis.stop();
    await cleanup();
  });

  test('builds of one group never overlap, start in request order, and say why they wait', async () => {
    const journal = join(dir, 'journal-a');
    await writeFile(journal, '');
    await writeFile(join(dir, '.wharf-ci.yml'), pipeline(journal, 'concurrency:\n  group: deploy-${WHERE}'));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await post(base, `local:${dir}`, `topic-${i}`));
    const t0 = Date.now();
    const last = ids[3] as string;
    let seen: ApiBuild | null = null;
    await until(async () => {
      seen = await get(base, last);
      return seen.status === 'queued' && /^waiting for deploy-main \(\d+ ahead\)$/.test(seen.message ?? '');
    });
    const queue = (await (
      await fetch(`${base}/api/queue`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as {
      groups: Array<{ group: string; limit: number; holders: string[]; waiters: string[] }>;
      waiters: Array<{ id: string; waitsOn: string; ahead: number }>;
    };
    const group = queue.groups.find((g) => g.group === 'deploy-main');
    assert.equal(group?.limit, 1);
    assert.ok(group?.waiters.includes(last), 'the last build waits in its group');
    assert.ok((group?.holders.length ?? 0) <= 1);
    const waiter = queue.waiters.find((w) => w.id === last);
    assert.equal(waiter?.waitsOn, 'group');
    assert.equal((await fetch(`${base}/api/queue`)).status, 403, 'the queue is for the admin only');
    for (const id of ids) assert.equal((await endedBuild(base, id, { token: TOKEN })).status, 'success');
    const refs = await Promise.all(ids.map(async (id) => (await get(base, id)).buildRef));
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines,
      refs.flatMap((ref) => [`start ${ref}`, `end ${ref}`]),
      'one at a time, in request order',
    );
    console.log(`4 builds of one group, one at a time: ${Date.now() - t0} ms`);
  });

  test('cancel-in-progress: a newer build cancels the running and waiting older ones, naming itself', async () => {
    const journal = join(dir, 'journal-b');
    await writeFile(journal, '');
    const cip = 'concurrency:\n  group: pr\n  cancel-in-progress: true';
    const repo = await repoFolder(dir, 'cip', pipeline(journal, cip, '30'));
    const first = await post(base, `local:${repo}`, 'one');
    await until(async () => (await readFile(journal, 'utf8')).includes('start'));
    const second = await post(base, `local:${repo}`, 'two');
    const ended = await endedBuild(base, first, { token: TOKEN });
    assert.equal(ended.status, 'cancelled');
    assert.equal(ended.message, `superseded by build ${second} (concurrency group pr)`);
    await writeFile(join(repo, '.wharf-ci.yml'), pipeline(journal, cip, '0.1'));
    const third = await post(base, `local:${repo}`, 'three');
    const second_ = await endedBuild(base, second, { token: TOKEN });
    assert.equal(second_.status, 'cancelled');
    assert.equal(second_.message, `superseded by build ${third} (concurrency group pr)`);
    assert.equal((await endedBuild(base, third, { token: TOKEN })).status, 'success');
  });

  test('a cancelled waiting build never starts and frees its place', async () => {
    const journal = join(dir, 'journal-c');
    await writeFile(journal, '');
    const repo = await repoFolder(dir, 'cancel', pipeline(journal, 'concurrency: {group: one}', '1'));
    const [a, b, c] = [
      await post(base, `local:${repo}`, 'a'),
      await post(base, `local:${repo}`, 'b'),
      await post(base, `local:${repo}`, 'c'),
    ];
    await until(async () => (await get(base, c as string)).message === 'waiting for one (1 ahead)');
    const res = await fetch(`${base}/api/builds/${b}/cancel`, { method: 'POST', headers: admin });
    assert.equal(res.status, 202, await res.text());
    assert.equal((await endedBuild(base, b as string, { token: TOKEN })).status, 'cancelled');
    await until(
      async () =>
        (await get(base, c as string)).message === 'waiting for one (0 ahead)' ||
        (await get(base, c as string)).status !== 'queued',
    );
    assert.equal((await endedBuild(base, a as string, { token: TOKEN })).status, 'success');
    assert.equal((await endedBuild(base, c as string, { token: TOKEN })).status, 'success');
    const refs = await Promise.all([a, c].map(async (id) => (await get(base, id as string)).buildRef));
    assert.deepEqual(
      (await readFile(journal, 'utf8')).trim().split('\n'),
      refs.flatMap((ref) => [`start ${ref}`, `end ${ref}`]),
      'the cancelled build never ran',
    );
  });

  test('a build that waits for its group logs its plan warnings once', async () => {
    const journal = join(dir, 'journal-d');
    await writeFile(journal, '');
    // The shared pipeline with one more command naming a variable nobody defines (a plan warning).
    const warned = `${pipeline(journal, 'concurrency: {group: warned}', '3')}        - echo "\${NOT_DEFINED}"\n`;
    const repo = await repoFolder(dir, 'warned', warned);
    const first = await post(base, `local:${repo}`, 'one');
    const second = await post(base, `local:${repo}`, 'two');
    // The second waits while the first runs (3 s): it planned, logged its warning and parked.
    await until(async () =>
      /^waiting for warned \(\d+ ahead\)$/.test((await get(base, second)).message ?? ''),
    );
    for (const id of [first, second])
      assert.equal((await endedBuild(base, id, { token: TOKEN })).status, 'success');
    for (const id of [first, second]) {
      const log = await (await fetch(`${base}/api/builds/${id}/logs`, { headers: admin })).text();
      const warnings = log.split('\n').filter((l) => l.includes('undefined variable "NOT_DEFINED"'));
      assert.equal(warnings.length, 1, `${id === first ? 'the first' : 'the woken'} build's log:\n${log}`);
    }
  });
});
