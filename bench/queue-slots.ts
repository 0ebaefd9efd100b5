// Slot accounting figures (concurrency groups, fair share) against a private redis-server,
// through the real queue, worker and Lua script. Run by hand:
//   . scripts/use-node.sh && node bench/queue-slots.ts [builds] [groups]
// Prints: builds started per second with `groups` groups of limit 1 and `builds` queued
// builds; the time from a build's end (its slot about to free) to the next build of its
// group starting (median, p95); Redis commands per build with and without slot accounting
// (INFO commandstats), i.e. the round trips slot accounting adds.
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { BuildRequest } from '../src/builds/types.ts';
import { createLocalAdapter } from '../src/forge/local/adapter.ts';
import type { BuildRunner } from '../src/queue/build-runner.ts';
import { createQueueStack } from '../src/queue/stack.ts';
import { startBuildWorker } from '../src/queue/worker.ts';
import { redisKeys } from '../src/redis-keys.ts';
import { quietLogger } from '../test/support/queue-harness.ts';
import { startRedis } from '../test/support/redis.ts';

const builds = Number(process.argv[2] ?? 1000);
const groups = Number(process.argv[3] ?? 10);
const redis = await startRedis();
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const print = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);
const request = (i: number): BuildRequest => ({
  forge: 'local',
  repo: tmpdir(),
  ref: `branch-${i}`,
  refType: 'branch',
  trigger: 'push',
  inputs: { group: `g${i % groups}` },
  rerun: false,
});

// Commands clients send (MONITOR; commands a Lua script runs are tagged `lua` and not counted).
const monitorConnection = new Redis(redis.url);
// MONITOR slows Redis down: time the runs with BENCH_MONITOR=0, count round trips with it on.
const monitor = process.env.BENCH_MONITOR === '0' ? monitorConnection : await monitorConnection.monitor();
let sent = 0;
monitor.on('monitor', (_time: string, _args: string[], source: string) => {
  if (!source.startsWith('lua')) sent++;
});
const commandCount = async () => {
  await sleep(200);
  return sent;
};

async function run(name: string, withSlots: boolean) {
  const stack = createQueueStack({
    redis: redis.url,
    logger: quietLogger,
    keys: redisKeys(name),
    retentionMs: 3_600_000,
    logCaps: { stepBytes: 1e6, buildBytes: 1e6 },
    caps: { repo: 10_000, owner: 10_000 },
  });
  const started = new Map<string, number[]>();
  const ended = new Map<string, number[]>();
  const at = (map: Map<string, number[]>, group: string) => {
    const list = map.get(group) ?? [];
    map.set(group, list);
    return list;
  };
  let done = 0;
  const runner: BuildRunner = async (x) => {
    const group = x.request.inputs.group ?? '';
    await x.admit?.({ group, limit: 1, cancelInProgress: false });
    at(started, group).push(performance.now());
    const now = new Date().toISOString();
    at(ended, group).push(performance.now());
    done++;
    return { status: 'success', reason: null, message: null, startedAt: now, finishedAt: now, stages: [] };
  };
  const before = await commandCount();
  const t0 = performance.now();
  const worker = await startBuildWorker({
    connection: stack.bull,
    store: stack.store,
    logs: stack.logs,
    bus: stack.bus,
    adapters: { local: createLocalAdapter([tmpdir()]) },
    runner,
    logger: quietLogger,
    concurrency: 20,
    keys: stack.keys,
    parkRecheckMs: 60_000,
    ...(withSlots
      ? {
          slotAccounting: {
            slots: stack.slots,
            cancel: (ids: string[], r: string) => stack.service.cancelIds(ids, r),
          },
        }
      : {}),
  });
  // Queued while the worker runs: jobs are picked (and parked) as they come.
  for (let i = 0; i < builds; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, builds - i) }, (_, k) => stack.service.request(request(i + k))),
    );
  while (done < builds) await sleep(20);
  const seconds = (performance.now() - t0) / 1000;
  const commands = (await commandCount()) - before;
  const gaps: number[] = [];
  for (const [group, starts] of started) {
    const ends = ended.get(group) ?? [];
    for (let i = 1; i < starts.length; i++) gaps.push((starts[i] ?? 0) - (ends[i - 1] ?? 0));
  }
  await worker.close(5000);
  await stack.close();
  return { perSecond: builds / seconds, gaps, commandsPerBuild: commands / builds };
}

const plain = await run('plain', false);
const slots = await run('slots', true);
print(
  'builds started per second, no groups',
  `${plain.perSecond.toFixed(0)} (${builds} queued, 20 worker slots)`,
);
print(
  `builds started per second, ${groups} groups of limit 1`,
  `${slots.perSecond.toFixed(0)} (${builds} queued)`,
);
print(
  'build end → next build of its group starts',
  `median ${pct(slots.gaps, 50).toFixed(1)} ms, p95 ${pct(slots.gaps, 95).toFixed(1)} ms (${slots.gaps.length} hand-overs)`,
);
print(
  'Redis round trips per build (MONITOR, not in Lua)',
  `${slots.commandsPerBuild.toFixed(1)} with slots, ${plain.commandsPerBuild.toFixed(1)} without: ` +
    `+${(slots.commandsPerBuild - plain.commandsPerBuild).toFixed(1)} for slot accounting`,
);
monitor.disconnect();
monitorConnection.disconnect();
await redis.stop();
