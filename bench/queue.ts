// Queue, log store and worker figures against a private redis-server. Run by hand:
//   . scripts/use-node.sh && node bench/queue.ts [builds] [logLines] [takeoverRounds]
// Prints: builds enqueued per second, worker pickup latency (median, p95), log lines
// appended per second, live-follow latency (median, p95), the RSS of a worker
// running 50 concurrent builds on the local runtime, and how long a SIGKILLed
// `berth serve --role worker` takes to lose its build to another one (kill → the
// other worker's "taken over" line, kill → build ended), with the default lock and
// with the 30 s lock / 15 s check used before BERTH_LOCK_SECONDS existed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BuildRequest } from '../src/builds/types.ts';
import { loadConfig } from '../src/config/load.ts';
import { runBuild } from '../src/engine/index.ts';
import { createLocalAdapter } from '../src/forge/local/adapter.ts';
import type { BuildRunner } from '../src/queue/build-runner.ts';
import { createPlanAndRun } from '../src/queue/plan-and-run.ts';
import { createQueueStack, type QueueStack } from '../src/queue/stack.ts';
import { startBuildWorker } from '../src/queue/worker.ts';
import { redisKeys } from '../src/redis-keys.ts';
import { createLocalRuntime } from '../src/runtime/local/index.ts';
import { quietLogger } from '../test/support/queue-harness.ts';
import { startRedis } from '../test/support/redis.ts';
import { exited, spawnServeWorker } from '../test/support/spawn-worker.ts';

const builds = Number(process.argv[2] ?? 2000);
const logLines = Number(process.argv[3] ?? 200_000);
const takeoverRounds = Number(process.argv[4] ?? 3);
const redis = await startRedis();
let queueNo = 0;
const stack = (): QueueStack =>
  createQueueStack({
    redis: redis.url,
    logger: quietLogger,
    keys: redisKeys(`bench${queueNo++}`),
    retentionMs: 3_600_000,
    logCaps: { stepBytes: 1e9, buildBytes: 1e9 },
  });
const request = (i: number, repo = 'acme/app'): BuildRequest => ({
  forge: 'local',
  repo,
  ref: `branch-${i}`,
  refType: 'branch',
  trigger: 'push',
  inputs: {},
  rerun: false,
});
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;
const print = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);

async function enqueueRate(): Promise<void> {
  const s = stack();
  const started = performance.now();
  for (let i = 0; i < builds; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, builds - i) }, (_, k) => s.service.request(request(i + k))),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  print('builds enqueued per second', `${Math.round(builds / seconds)} (${builds} builds, 50 in flight)`);
  await s.close();
}

async function pickupLatency(): Promise<void> {
  const s = stack();
  const enqueued = new Map<string, number>();
  const latencies: number[] = [];
  const picked = new Map<string, number>();
  const runner: BuildRunner = async (x) => {
    picked.set(x.id, performance.now());
    const at = new Date().toISOString();
    return { status: 'success', reason: null, message: null, startedAt: at, finishedAt: at, stages: [] };
  };
  const worker = await startBuildWorker({
    connection: s.bull,
    store: s.store,
    logs: s.logs,
    bus: s.bus,
    adapters: { local: createLocalAdapter([tmpdir()]) },
    runner,
    logger: quietLogger,
    concurrency: 8,
    keys: s.keys,
  });
  const count = 500;
  for (let i = 0; i < count; i++) {
    const before = performance.now();
    const { id } = await s.service.request(request(i));
    enqueued.set(id, before);
    await sleep(4);
  }
  while (picked.size < count) await sleep(20);
  for (const [id, at] of picked) latencies.push(at - (enqueued.get(id) ?? Number.NaN));
  print(
    'worker pickup latency (enqueue → runner)',
    `median ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))} (${count} builds, 1 every ~4 ms, concurrency 8)`,
  );
  await worker.close(5000);
  await s.close();
}

async function logThroughput(): Promise<void> {
  const s = stack();
  const sink = s.logs.sink('bench-log');
  const text = 'x'.repeat(80);
  const started = performance.now();
  for (let i = 0; i < logLines; i++)
    sink.append({ stage: 'build', step: 'main', stream: 'stdout', time: Date.now(), text });
  await sink.flush();
  const seconds = (performance.now() - started) / 1000;
  print('log lines appended per second', `${Math.round(logLines / seconds)} (${logLines} lines of 80 bytes)`);

  const live = s.logs.sink('bench-follow');
  const controller = new AbortController();
  const delays: number[] = [];
  const following = (async () => {
    for await (const batch of s.logs.follow('bench-follow', { after: null, signal: controller.signal })) {
      for (const entry of batch.entries) delays.push(Date.now() - entry.time);
    }
  })();
  await sleep(100);
  for (let i = 0; i < 400; i++) {
    live.append({ stage: 'build', step: 'main', stream: 'stdout', time: Date.now(), text: `line ${i}` });
    await sleep(5);
  }
  await live.close();
  await following;
  print(
    'live-follow latency (append → follower)',
    `median ${ms(pct(delays, 50))}, p95 ${ms(pct(delays, 95))} (batch flush 50 ms)`,
  );
  await s.close();
}

async function workerRss(): Promise<void> {
  const s = stack();
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  await writeFile(
    join(dir, '.wharf-ci.yml'),
    'build:\n  wait:\n    container:\n      image: alpine\n      cmds:\n        - echo start\n        - sleep 3\n        - echo done\n',
  );
  const config = loadConfig({});
  const runner = createPlanAndRun({
    runtime: createLocalRuntime({ killGraceMs: 1000, hostEnv: { PATH: process.env.PATH } }),
    runBuild,
    instance: 'bench',
    images: config.images,
    wharfVars: {},
    configuredVars: {},
    timeouts: { stepMs: 60_000, buildMs: 120_000, cleanupMs: 10_000 },
    logCapBytes: 1e6,
  });
  const before = process.memoryUsage().rss;
  const worker = await startBuildWorker({
    connection: s.bull,
    store: s.store,
    logs: s.logs,
    bus: s.bus,
    adapters: { local: createLocalAdapter([tmpdir()]) },
    runner,
    logger: quietLogger,
    concurrency: 50,
    globalConcurrency: 50,
    keys: s.keys,
  });
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push((await s.service.request({ ...request(i, dir), rerun: true })).id);
  let peak = 0;
  let maxRunning = 0;
  const started = performance.now();
  for (;;) {
    peak = Math.max(peak, process.memoryUsage().rss);
    maxRunning = Math.max(maxRunning, worker.active());
    const records = await Promise.all(ids.map((id) => s.store.get(id)));
    if (records.every((r) => r && !['queued', 'running'].includes(r.status))) {
      const ok = records.filter((r) => r?.status === 'success').length;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      print(
        'worker RSS, 50 concurrent local builds',
        `${mb(before)} idle → ${mb(peak)} peak (${maxRunning} at once, ${ok}/50 succeeded in ${seconds} s)`,
      );
      break;
    }
    await sleep(100);
  }
  await worker.close(5000);
  await s.close();
  await rm(dir, { recursive: true, force: true });
}

/** Kills the worker running a build `rounds` times; `env` sets the lock. */
async function takeover(label: string, env: Record<string, string>, rounds: number): Promise<void> {
  // `berth serve` uses the default queue name and key prefix.
  const s = createQueueStack({
    redis: redis.url,
    logger: quietLogger,
    retentionMs: 3_600_000,
    logCaps: { stepBytes: 1e6, buildBytes: 1e6 },
  });
  const root = await mkdtemp(join(tmpdir(), 'berth-bench-takeover-'));
  const toTakeover: number[] = [];
  const toEnd: number[] = [];
  const workerEnv = { ...env, BERTH_LOCAL_SOURCES: root };
  for (let round = 0; round < rounds; round++) {
    const repo = join(root, `r${round}`);
    const runs = join(root, `r${round}.runs`);
    await mkdir(repo);
    const script = `test -e ${runs} && exit 0; touch ${runs}; sleep 300`;
    await writeFile(
      join(repo, '.wharf-ci.yml'),
      `build:\n  work:\n    container:\n      image: alpine\n      cmds:\n        - ${JSON.stringify(script)}\n`,
    );
    const first = await spawnServeWorker(redis.url, workerEnv);
    const { id } = await s.service.request({ ...request(round, repo), rerun: true });
    while ((await s.store.get(id))?.stages[0]?.steps[0]?.status !== 'running') await sleep(50);
    const second = await spawnServeWorker(redis.url, workerEnv);
    await sleep(Math.random() * 2000);
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await exited(first);
    let record = await s.store.get(id);
    while (record && ['queued', 'running'].includes(record.status)) {
      await sleep(50);
      record = await s.store.get(id);
    }
    toEnd.push(Date.now() - killedAt);
    const note = (await s.logs.read(id, null)).entries.find((e) => e.text.startsWith('build taken over'));
    toTakeover.push((note?.time ?? Number.NaN) - killedAt);
    second.kill('SIGTERM');
    await exited(second);
  }
  const secs = (values: number[]) => values.map((v) => (v / 1000).toFixed(1)).join(', ');
  print(
    `takeover of a SIGKILLed worker's build, ${label}`,
    `kill → taken over ${secs(toTakeover)} s; kill → ended ${secs(toEnd)} s`,
  );
  await s.close();
  await rm(root, { recursive: true, force: true });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

try {
  await workerRss();
  await enqueueRate();
  await pickupLatency();
  await logThroughput();
  await takeover('defaults', {}, takeoverRounds);
  await takeover(
    '30 s lock, 15 s check (before)',
    { BERTH_LOCK_SECONDS: '30', BERTH_STALLED_CHECK_SECONDS: '15' },
    1,
  );
} finally {
  await redis.stop();
}
