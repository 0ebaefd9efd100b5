// Slot accounting figures (concurrency groups, fair share) against a private redis-server,
// through the real queue, worker and Lua script. Run by hand:
//   . scripts/use-node.sh && node bench/queue-slots.ts [builds] [groups]
// Prints, with `groups` groups of limit 1 and `builds` builds queued while one worker with
// 20 slots runs them (each build ends as soon as it has started):
// - builds started per second (and without groups, for comparison);
// - slot freed (the release script answered) → the group's next build starts (its runner
//   is past `admit`): median, p95, p99; and build end (runner returns) → next start;
// - Redis commands clients send per build, with and without slot accounting, and which
//   ones slot accounting adds. Counted by a proxy in front of Redis that reads every
//   request (bench/redis-tap.ts): no MONITOR, commands a Lua script runs inside Redis not
//   counted, a pipeline counts each of its commands (so this bounds the round trips from
//   above). Timed runs go straight to Redis; counted runs go through the proxy.
//   BENCH_TRACE=N also prints the N slowest hand-overs command by command.
// - where the time goes from slot freed to next start: for each woken build, the median
//   time from the slot freeing to each Redis command that names it (counted runs).
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CREATE, UPDATE } from '../src/builds/scripts.ts';
import type { BuildRequest } from '../src/builds/types.ts';
import { createLocalAdapter } from '../src/forge/local/adapter.ts';
import type { BuildRunner } from '../src/queue/build-runner.ts';
import { SLOTS_SCRIPT } from '../src/queue/slots/script.ts';
import { Slots } from '../src/queue/slots/slots.ts';
import { createQueueStack } from '../src/queue/stack.ts';
import { startBuildWorker } from '../src/queue/worker.ts';
import { redisKeys } from '../src/redis-keys.ts';
import { quietLogger } from '../test/support/queue-harness.ts';
import { startRedis } from '../test/support/redis.ts';
import { scriptSha, startRedisTap, type TappedCommand } from './redis-tap.ts';

const builds = Number(process.argv[2] ?? 1000);
const groups = Number(process.argv[3] ?? 10);
const WORKER_SLOTS = 20;
const redis = await startRedis();
const tap = await startRedisTap(redis.port);

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const spread = (v: number[]) =>
  `median ${pct(v, 50).toFixed(1)} ms, p95 ${pct(v, 95).toFixed(1)} ms, p99 ${pct(v, 99).toFixed(1)} ms`;
const print = (label: string, value: string) => console.log(`${label.padEnd(50)} ${value}`);
const request = (i: number): BuildRequest => ({
  forge: 'local',
  repo: tmpdir(),
  ref: `branch-${i}`,
  refType: 'branch',
  trigger: 'push',
  inputs: { group: `g${i % groups}` },
  rerun: false,
});

/** Slots that note when each build's slot was freed. */
class TimedSlots extends Slots {
  readonly freedAt = new Map<string, number>();
  override async release(id: string) {
    const released = await super.release(id);
    this.freedAt.set(id, performance.now());
    return released;
  }
}

interface Run {
  perSecond: number;
  /** Slot freed → next build of the group starts. */
  freedToStart: number[];
  /** Build end (runner returned) → next build of the group starts. */
  endToStart: number[];
  /** Woken builds: [the build before it in its group, the build] and when its slot freed. */
  handOvers: Array<{ prev: string; next: string; freedAt: number }>;
  startedAt: Map<string, number>;
  ids: string[];
}

let runNo = 0;
async function run(redisUrl: string, withSlots: boolean): Promise<Run> {
  const keys = redisKeys(`bench${runNo++}`);
  const stack = createQueueStack({
    redis: redisUrl,
    logger: quietLogger,
    keys,
    retentionMs: 3_600_000,
    logCaps: { stepBytes: 1e6, buildBytes: 1e6 },
    caps: { repo: 10_000, owner: 10_000 },
  });
  const slots = new TimedSlots({ redis: stack.redis, base: keys.slots, caps: stack.slots.caps });
  const startedAt = new Map<string, number>();
  const endedAt = new Map<string, number>();
  const order = new Map<string, string[]>();
  let done = 0;
  const runner: BuildRunner = async (x) => {
    const group = x.request.inputs.group ?? '';
    await x.admit?.({ group, limit: 1, cancelInProgress: false });
    startedAt.set(x.id, performance.now());
    order.set(group, [...(order.get(group) ?? []), x.id]);
    const now = new Date().toISOString();
    endedAt.set(x.id, performance.now());
    done++;
    return { status: 'success', reason: null, message: null, startedAt: now, finishedAt: now, stages: [] };
  };
  const t0 = performance.now();
  const worker = await startBuildWorker({
    connection: stack.bull,
    store: stack.store,
    logs: stack.logs,
    bus: stack.bus,
    adapters: { local: createLocalAdapter([tmpdir()]) },
    runner,
    logger: quietLogger,
    concurrency: WORKER_SLOTS,
    keys: stack.keys,
    parkRecheckMs: 60_000,
    ...(withSlots
      ? { slotAccounting: { slots, cancel: (ids: string[], r: string) => stack.service.cancelIds(ids, r) } }
      : {}),
  });
  // Queued while the worker runs: jobs are picked (and parked) as they come.
  const ids: string[] = [];
  for (let i = 0; i < builds; i += 50)
    ids.push(
      ...(await Promise.all(
        Array.from(
          { length: Math.min(50, builds - i) },
          async (_, k) => (await stack.service.request(request(i + k))).id,
        ),
      )),
    );
  while (done < builds) await sleep(5);
  const perSecond = builds / ((performance.now() - t0) / 1000);
  await sleep(200);
  await worker.close(5000);
  await stack.close();
  const freedToStart: number[] = [];
  const endToStart: number[] = [];
  const handOvers: Run['handOvers'] = [];
  for (const line of order.values())
    for (let i = 1; i < line.length; i++) {
      const [prev, next] = [line[i - 1] as string, line[i] as string];
      const start = startedAt.get(next) ?? Number.NaN;
      endToStart.push(start - (endedAt.get(prev) ?? Number.NaN));
      const freed = slots.freedAt.get(prev);
      if (freed === undefined) continue;
      freedToStart.push(start - freed);
      handOvers.push({ prev, next, freedAt: freed });
    }
  return { perSecond, freedToStart, endToStart, handOvers, startedAt, ids };
}

/** What a command is: a script by name (slots:acquire, record:update, bullmq:moveToActive) or command + key family. */
function labeller(): (c: TappedCommand) => string {
  const require = createRequire(import.meta.url);
  const bull = require('bullmq/dist/cjs/scripts/index.js') as Record<
    string,
    { name: string; content: string }
  >;
  const known: Array<[string, string]> = [
    [SLOTS_SCRIPT, 'slots'],
    [CREATE, 'record:create'],
    [UPDATE, 'record:update'],
    ...Object.values(bull).map((s) => [s.content, `bullmq:${s.name}`] as [string, string]),
  ];
  // EVALSHA names a script by its SHA1; EVAL sends its text (the tap keeps 200 characters).
  const names = new Map<string, string>();
  for (const [text, name] of known) names.set(scriptSha(text), name).set(text.slice(0, 200), name);
  const family = (key = '') => key.split(':')[1]?.replace(/^\{(.*)\}$/, '$1') ?? '?';
  return (c) => {
    if (c.name !== 'eval' && c.name !== 'evalsha') return `${c.name} ${family(c.args[0])}`;
    const name = names.get(c.args[0] ?? '') ?? `script ${family(c.args[2])}`;
    return `${c.name === 'eval' ? 'EVAL ' : ''}${name === 'slots' ? `slots:${c.args[3]}` : name}`;
  };
}

/** Commands per build by label, from a slice of the tap. */
function perBuild(commands: TappedCommand[], label: (c: TappedCommand) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of commands) counts.set(label(c), (counts.get(label(c)) ?? 0) + 1 / builds);
  return counts;
}

// Timed runs, straight to Redis.
const plain = await run(redis.url, false);
const timed = await run(redis.url, true);
// Counted runs, through the proxy.
const label = labeller();
let from = tap.commands.length;
await run(tap.url, false);
const plainCounts = perBuild(tap.commands.slice(from), label);
from = tap.commands.length;
const counted = await run(tap.url, true);
const slotCommands = tap.commands.slice(from);
const slotCounts = perBuild(slotCommands, label);
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

print(
  `builds started per second, no groups`,
  `${plain.perSecond.toFixed(0)} (${builds} queued, ${WORKER_SLOTS} worker slots)`,
);
print(
  `builds started per second, ${groups} groups of limit 1`,
  `${timed.perSecond.toFixed(0)} (${builds} queued)`,
);
print(
  'slot freed → next build of its group starts',
  `${spread(timed.freedToStart)} (${timed.freedToStart.length} hand-overs)`,
);
print('build end → next build of its group starts', spread(timed.endToStart));
print(
  'Redis commands per build (proxy; not inside Lua)',
  `${sum(slotCounts).toFixed(1)} with slots, ${sum(plainCounts).toFixed(1)} without: ` +
    `+${(sum(slotCounts) - sum(plainCounts)).toFixed(1)} for slot accounting`,
);
console.log('\nper build, with slots − without (commands a build sends, by script or command + key family):');
const labels = [...new Set([...slotCounts.keys(), ...plainCounts.keys()])];
const rows = labels
  .map((l) => ({ l, with: slotCounts.get(l) ?? 0, without: plainCounts.get(l) ?? 0 }))
  .filter((r) => Math.abs(r.with - r.without) >= 0.05)
  .sort((a, b) => b.with - b.without - (a.with - a.without));
for (const r of rows)
  console.log(
    `  ${r.l.padEnd(40)} ${(r.with - r.without).toFixed(2).padStart(7)}  (${r.with.toFixed(2)} vs ${r.without.toFixed(2)})`,
  );

// Where the time goes: the n-th command naming a woken build, from its slot freeing (counted run).
const idPattern = /b[0-9a-z]{7,10}[0-9a-f]{10}/g;
const byBuild = new Map<string, TappedCommand[]>();
for (const c of slotCommands)
  for (const id of new Set(c.args.join(' ').match(idPattern) ?? []))
    byBuild.set(id, [...(byBuild.get(id) ?? []), c]);
const steps = new Map<string, number[]>();
const seen: string[] = [];
for (const h of counted.handOvers) {
  const after = (byBuild.get(h.next) ?? []).filter((c) => c.at >= h.freedAt);
  const start = counted.startedAt.get(h.next) ?? Number.NaN;
  const count = new Map<string, number>();
  for (const c of after.filter((c) => c.at <= start)) {
    const l = label(c);
    count.set(l, (count.get(l) ?? 0) + 1);
    const key = `${l} #${count.get(l)}`;
    if (!steps.has(key)) seen.push(key);
    steps.set(key, [...(steps.get(key) ?? []), c.at - h.freedAt]);
  }
  steps.set('runner started', [...(steps.get('runner started') ?? []), start - h.freedAt]);
}
seen.push('runner started');
console.log(
  `\nslot freed → next start, commands naming the woken build (median ms after the slot freed; in how many of ${counted.handOvers.length} hand-overs):`,
);
for (const key of seen.sort((a, b) => pct(steps.get(a) ?? [], 50) - pct(steps.get(b) ?? [], 50))) {
  const v = steps.get(key) ?? [];
  if (v.length < counted.handOvers.length / 10) continue;
  console.log(`  ${key.padEnd(40)} ${pct(v, 50).toFixed(2).padStart(8)}  (${v.length})`);
}
print('\nslot freed → next start (counted run, through the proxy)', spread(counted.freedToStart));

// BENCH_TRACE=N: the N slowest hand-overs, every command naming the woken build.
const trace = Number(process.env.BENCH_TRACE ?? 0);
const waited = (h: Run['handOvers'][number]) => (counted.startedAt.get(h.next) ?? 0) - h.freedAt;
for (const h of [...counted.handOvers].sort((a, b) => waited(b) - waited(a)).slice(0, trace)) {
  console.log(`\n${h.next} (after ${h.prev}): started ${waited(h).toFixed(1)} ms after the slot freed`);
  for (const c of byBuild.get(h.next) ?? [])
    console.log(`  ${(c.at - h.freedAt).toFixed(1).padStart(9)} ms  conn ${c.conn}  ${label(c)}`);
}

await tap.close();
await redis.stop();
