// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
// Concurrency groups through the public surface: a pipeline file with `concurrency`, builds
// posted to `berth serve`'s POST /api/builds, what the API says while they wait.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
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
    const last = ids[3] as string;
    let seen: ApiBuild | null = null;
    await until(async () => {
      seen = await get(base, last);
      return seen.status === 'queued' && /^waiting for deploy-main \(\d+ ahead\)$/.test(seen.message ?? '');
    });
    for (const id of ids) assert.equal((await endedBuild(base, id, { token: TOKEN })).status, 'success');
    const refs = await Promise.all(ids.map(async (id) => (await get(base, id)).buildRef));
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines,
      refs.flatMap((ref) => [`start ${ref}`, `end ${ref}`]),
      'one at a time, in request order',
    );
  });
});
