// Failover figures of Berth on Redis behind real redis-sentinels (primary + 1 replica +
// 3 sentinels, down-after-milliseconds 800, on this machine). Run by hand:
//   . scripts/use-node.sh && node bench/redis-sentinel.ts [rounds] [batches]
// Prints, per round (a fresh set each): the time from the primary's SIGKILL to the
// sentinels naming the replica, and to the build's next line stored (read through
// the API); lines lost and lines stored twice; the build's status and how often its
// step ran. Two more rounds kill the primary while the replica lags (its link
// dropped), with BERTH_REDIS_WAIT_REPLICAS 1 and 0. Then the cost of waiting for the
// replica (WAIT) per log batch of 100 lines and per build record update.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildStore } from '../src/builds/store.ts';
import type { BuildRequest } from '../src/builds/types.ts';
import { RedisLogStore } from '../src/logs/redis-store.ts';
import { connectRedis } from '../src/redis/connect.ts';
import { ReplicatedWrites } from '../src/redis/replicated.ts';
import { redisKeys } from '../src/redis-keys.ts';
import { startBuild, until } from '../test/support/api-client.ts';
import { tempDir } from '../test/support/engine.ts';
import { startSentinelSet } from '../test/support/redis-sentinel.ts';
import { startServe } from '../test/support/serve.ts';

const rounds = Number(process.argv[2] ?? 3);
const batches = Number(process.argv[3] ?? 2000);
const TOKEN = 'bench-sentinel-token-0123456789';
const LINES = 400;
const print = (label: string, value: string) => console.log(`${label.padEnd(46)} ${value}`);
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;

/**
 * One build printing LINES numbered lines, one every 20 ms; the primary dies after ~2 s.
 * `lag`: the replica lags first (paused, link dropped), so the primary's last writes are
 * on it alone; `waitReplicas` is BERTH_REDIS_WAIT_REPLICAS.
 */
async function failoverRound(label: string, o: { lag: boolean; waitReplicas: number }): Promise<void> {
  const set = await startSentinelSet();
  const src = await tempDir('berth-bench-sentinel-');
  const outside = await tempDir('berth-bench-sentinel-runs-');
  const runs = join(outside.dir, 'runs');
  await writeFile(
    join(src.dir, '.wharf-ci.yml'),
    `build:\n  count:\n    container:\n      image: alpine\n      cmds:\n        - echo run >> ${runs}\n        - seq 1 ${LINES} | while read n; do echo "line $n"; sleep 0.02; done\n`,
  );
  const app = await startServe({
    REDIS_SENTINELS: set.sentinels,
    REDIS_SENTINEL_NAME: set.name,
    BERTH_RUNTIME: 'local',
    BERTH_API_TOKEN: TOKEN,
    BERTH_LOCAL_SOURCES: src.dir,
    BERTH_REDIS_WAIT_REPLICAS: String(o.waitReplicas),
  });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const numbers = async (id: string) => {
    const text = await (await fetch(`${app.url}/api/builds/${id}/logs`, { headers: auth })).text();
    return [...text.matchAll(/^\[[^\]]*\] line (\d+)$/gm)].map((m) => Number(m[1]));
  };
  try {
    const id = await startBuild(app.url, TOKEN, `local:${src.dir}`);
    await until(async () => (await numbers(id)).length >= 100, 30_000);
    let resume = () => {};
    if (o.lag) {
      resume = await set.lagReplicas();
      const before = (await numbers(id)).length;
      await until(async () => (await numbers(id)).length > before, 10_000);
    }
    const seenAtKill = (await numbers(id)).length;
    const killedAt = performance.now();
    const oldPort = await set.killPrimary().finally(resume);
    let promotedAt = 0;
    const promoted = set.failedOver(oldPort).then(() => {
      promotedAt = performance.now();
    });
    let nextLineAt = 0;
    await until(async () => {
      const n = await numbers(id).catch(() => []);
      if (n.length > seenAtKill) nextLineAt = performance.now();
      return nextLineAt > 0;
    }, 60_000);
    await promoted;
    let status = '';
    await until(async () => {
      const r = (await (await fetch(`${app.url}/api/builds/${id}`, { headers: auth })).json()) as {
        status: string;
      };
      status = r.status;
      return !['queued', 'running'].includes(status);
    }, 60_000);
    const stored = await numbers(id);
    const distinct = new Set(stored);
    const ran = (await readFile(runs, 'utf8')).split('\n').filter(Boolean).length;
    print(
      `${label}: kill -> replica promoted`,
      `${ms(promotedAt - killedAt)}; kill -> next line stored ${ms(nextLineAt - killedAt)}`,
    );
    print(
      `${label}: build`,
      `${status}, lines lost ${LINES - distinct.size}, stored twice ${stored.length - distinct.size}, step ran ${ran}x`,
    );
  } finally {
    await app.close();
    await set.stop();
    await src.remove();
    await outside.remove();
  }
}

/** Per-batch and per-update latency through ReplicatedWrites with `replicas` (1: WAIT; 0: none). */
async function waitCost(): Promise<void> {
  const set = await startSentinelSet();
  const target = {
    kind: 'sentinel' as const,
    sentinels: set.sentinels.split(',').map((hp) => ({ host: '127.0.0.1', port: Number(hp.split(':')[1]) })),
    name: set.name,
    url: null,
    sentinelPassword: null,
  };
  const redis = connectRedis(target, { connectionName: 'bench' });
  const request: BuildRequest = {
    forge: 'local',
    repo: 'bench',
    ref: 'main',
    refType: 'branch',
    trigger: 'push',
    inputs: {},
    rerun: false,
  };
  try {
    // The first pass warms up (connections, script cache, JIT); it is not printed.
    for (const [pass, replicas] of [0, 0, 1, 0, 1].entries()) {
      const writes = new ReplicatedWrites({ redis, wait: { replicas, timeoutMs: 1000 } });
      const keys = redisKeys(`bench-wait-${pass}`);
      const logs = new RedisLogStore({
        redis,
        keys,
        retentionMs: 600_000,
        caps: { stepBytes: 1e12, buildBytes: 1e12 },
        writes,
      });
      const sink = logs.sink('b1');
      const perBatch: number[] = [];
      for (let b = 0; b < batches; b++) {
        for (let i = 0; i < 100; i++)
          sink.append({
            stage: 's',
            step: 'p',
            stream: 'stdout',
            time: Date.now(),
            text: `${b}:${i} ${'x'.repeat(60)}`,
          });
        const started = performance.now();
        await sink.flush();
        perBatch.push(performance.now() - started);
      }
      const store = new BuildStore({ redis, keys, retentionMs: 600_000, writes });
      const { id } = await store.create(request);
      const perUpdate: number[] = [];
      for (let u = 0; u < batches / 4; u++) {
        const started = performance.now();
        await store.update(id, (r) => ({ ...r, message: `update ${u}` }));
        perUpdate.push(performance.now() - started);
      }
      writes.close();
      logs.close();
      if (pass === 0) continue;
      print(
        `WAIT ${replicas}: log batch of 100 lines`,
        `median ${ms(pct(perBatch, 50))}, p95 ${ms(pct(perBatch, 95))} (${batches} batches, one at a time)`,
      );
      print(
        `WAIT ${replicas}: build record update`,
        `median ${ms(pct(perUpdate, 50))}, p95 ${ms(pct(perUpdate, 95))} (${batches / 4} updates, read + write)`,
      );
    }
  } finally {
    redis.disconnect();
    await set.stop();
  }
}

for (let r = 1; r <= rounds; r++) await failoverRound(`round ${r}`, { lag: false, waitReplicas: 1 });
await failoverRound('lagging replica, WAIT 1', { lag: true, waitReplicas: 1 });
await failoverRound('lagging replica, WAIT 0', { lag: true, waitReplicas: 0 });
await waitCost();
