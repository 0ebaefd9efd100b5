// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
// Berth on a three-node Redis Cluster (REDIS_CLUSTER_NODES): builds run end to end through
// POST /api/builds, with their logs, a concurrency group, a cancel across the cluster's
// pub/sub, and every key of the instance in one hash slot.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { App } from '../../src/app/start.ts';
import { endedBuild, startBuild, until } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { failoverPipeline, numbered, oneToN, runCount, textLog } from '../support/failover-build.ts';
import { allKeys } from '../support/redis.ts';
import { startRedisCluster, type TestCluster } from '../support/redis-cluster.ts';
import { startServe } from '../support/serve.ts';
import { readSse } from '../support/sse.ts';

const TOKEN = 'cluster-admin-token-0123456789';
const admin = { authorization: `Bearer ${TOKEN}` };

/** The build's number in its repository (what the step sees as BERTH_BUILD). */
async function buildRef(base: string, id: string): Promise<number> {
  const res = await fetch(`${base}/api/builds/${id}`, { headers: admin });
  return ((await res.json()) as { buildRef: number }).buildRef;
}

/** Every key on every node that has any, by the node's port. */
async function keysByNode(cluster: TestCluster): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const server of cluster.servers) {
    const client = new Redis(server.url);
    const keys = await allKeys(client).finally(() => client.disconnect());
    if (keys.length > 0) found.set(server.port, keys);
  }
  return found;
}

describe('Berth on a Redis Cluster', () => {
  let cluster: TestCluster;
  let app: App;
  let base = '';
  let dir = '';
  let journal = '';
  let cleanup: () => Promise<void> = async () => {};

  before(async () => {
    const folder = await tempDir('berth-cluster-');
    dir = folder.dir;
    cleanup = folder.remove;
    journal = join(dir, 'journal.txt');
    await writeFile(journal, '');
    await writeFile(
      join(dir, '.wharf-ci.yml'),
      `concurrency:
  group: deploy
build:
  work:
    container:
      image: busybox
      cmds:
        - echo "start $BERTH_BUILD" >> ${journal}
        - for i in 1 2 3; do echo "line $i of $BERTH_BUILD"; done
        - if [ "\${GIT_BRANCH}" = slow ]; then sleep 30; else sleep 0.3; fi
        - echo "end $BERTH_BUILD" >> ${journal}
`,
    );
    cluster = await startRedisCluster();
    app = await startServe({
      REDIS_CLUSTER_NODES: cluster.nodes,
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: dir,
      BERTH_RUNTIME: 'local',
      BERTH_CONCURRENCY: '4',
    });
    base = app.url;
  });
  after(async () => {
    await app?.close();
    await cluster?.stop();
    await cleanup();
  });

  test('builds of one group run one at a time, in request order, with their logs', async () => {
    const ids: string[] = [];
    for (const ref of ['a', 'b', 'c']) ids.push(await startBuild(base, TOKEN, `local:${dir}`, ref));
    for (const id of ids) assert.equal((await endedBuild(base, id, { token: TOKEN })).status, 'success');

    const events = (await readFile(journal, 'utf8')).trim().split('\n');
    const refs = await Promise.all(ids.map((id) => buildRef(base, id)));
    const expected = refs.flatMap((ref) => [`start ${ref}`, `end ${ref}`]);
    assert.deepEqual(events, expected, 'one at a time, in the order requested');
    for (const [i, id] of ids.entries()) {
      const log = await (await fetch(`${base}/api/builds/${id}/logs`, { headers: admin })).text();
      for (const n of [1, 2, 3]) assert.match(log, new RegExp(`line ${n} of ${refs[i]}\\b`));
    }
  });

  test('a running build is followed live, and a cancel reaches its worker through the cluster', async () => {
    await writeFile(journal, '');
    const slow = await startBuild(base, TOKEN, `local:${dir}`, 'slow');
    const slowRef = await buildRef(base, slow);
    // Following a live log is a blocking XREAD over many streams at once: legal only in one slot.
    const followed = await readSse(`${base}/api/builds/${slow}/logs`, admin, (events) =>
      events.some((e) => e.data.includes(`line 3 of ${slowRef}`)),
    );
    assert.ok(followed.some((e) => e.data.includes(`line 1 of ${slowRef}`)));
    const next = await startBuild(base, TOKEN, `local:${dir}`, 'next');
    const cancel = await fetch(`${base}/api/builds/${slow}/cancel`, { method: 'POST', headers: admin });
    assert.equal(cancel.status, 202, await cancel.text());
    assert.equal((await endedBuild(base, slow, { token: TOKEN })).status, 'cancelled');
    assert.equal((await endedBuild(base, next, { token: TOKEN })).status, 'success');
  });

  test('every key of this Berth sits in one hash slot on one node', async () => {
    const byNode = await keysByNode(cluster);
    assert.equal(byNode.size, 1, `keys on nodes ${[...byNode.keys()].join(', ')}`);
    const [keys = []] = [...byNode.values()];
    assert.ok(
      keys.some((k) => k.startsWith('{berth}:queue:builds:')),
      'BullMQ keys are there',
    );
    assert.ok(
      keys.some((k) => k.startsWith('{berth}:logs:')),
      'log streams are there',
    );
    const client = new Redis(cluster.servers[0]?.url ?? '');
    try {
      const slots = new Set(await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k))));
      assert.equal(slots.size, 1);
    } finally {
      client.disconnect();
    }
  });
});

describe('Berth on a Redis Cluster with replicas: the primary holding its slot is SIGKILLed mid-build', () => {
  let cluster: TestCluster;
  let app: App;
  let folder: Awaited<ReturnType<typeof tempDir>>;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let runs = '';

  before(async () => {
    folder = await tempDir('berth-cluster-failover-');
    outside = await tempDir('berth-cluster-runs-');
    runs = join(outside.dir, 'runs');
    await writeFile(join(folder.dir, '.wharf-ci.yml'), failoverPipeline(runs));
    cluster = await startRedisCluster({ replicas: 1 });
    app = await startServe({
      REDIS_CLUSTER_NODES: cluster.nodes,
      BERTH_RUNTIME: 'local',
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: folder.dir,
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
  });
  after(async () => {
    try {
      await app?.close();
    } finally {
      await cluster?.stop();
      await folder?.remove();
      await outside?.remove();
    }
  });

  test('the build ends success with every line once, run once; the API says 503, never 500, meanwhile', async () => {
    const log = (id: string) => textLog(app.url, admin, id);
    const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    await until(async () => numbered(await log(id)).includes(10), 30_000);
    await cluster.killPrimaryOf('{berth}');
    const answers = new Set<number>();
    let status = 'running';
    await until(async () => {
      const res = await fetch(`${app.url}/api/builds/${id}`, { headers: admin });
      answers.add(res.status);
      if (res.ok) status = ((await res.json()) as { status: string }).status;
      return !['queued', 'running'].includes(status);
    }, 60_000);
    assert.equal(status, 'success');
    assert.deepEqual(
      [...answers].filter((s) => s !== 200 && s !== 503),
      [],
      'while the cluster fails over the API answers 503 (try again), not 500',
    );
    assert.deepEqual(numbered(await log(id)), oneToN, 'every line once, in order');
    assert.equal(await runCount(runs), 1, 'the step ran once');

    const second = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    assert.equal((await endedBuild(app.url, second, { token: TOKEN, timeoutMs: 60_000 })).status, 'success');
    assert.equal(await runCount(runs), 2);
  });
});
