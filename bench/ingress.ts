// GitHub webhook ingress. First, side by side with a bare Probot app in the same run
// (bench/ingress-side-by-side.ts): acknowledgements per second and p50/p99, and the ratio
// of the medians. Then signed `push` deliveries POSTed to Berth's real HTTP handler with
// the handling running in this process (signature check, payload validation and mapping,
// policy: API calls for the pipeline file and the commit's PRs), measured to the
// acknowledgement (given once the delivery is stored in the `events-github` queue)
// and to "job queued" (the moment BuildService.request resolves: the BullMQ job and build
// record exist). The GitHub API is the local fake; no build worker runs, so jobs stay
// queued. Run by hand:
//   . scripts/use-node.sh && node bench/ingress.ts [deliveries=2000] [concurrency=32] [rounds=6]
import { Redis } from 'ioredis';
import type { BuildService } from '../src/builds/service.ts';
import { example, startHarness } from '../test/forge/github/harness.ts';
import { testStack } from '../test/support/queue-harness.ts';
import { startRedis } from '../test/support/redis.ts';
import { sideBySide } from './ingress-side-by-side.ts';
import { median } from './webhook-burst.ts';

const total = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 6);

const queuedAt = new Map<string, number>();
const redis = await startRedis();
console.log(`side by side: ${rounds} rounds of ${total} signed push deliveries, ${concurrency} in flight`);
const compared = await sideBySide(redis, { total, concurrency, rounds });
const medianOf = (runs: typeof compared.berth, key: 'perSecond' | 'p99' | 'cpuMicros') =>
  median(runs.map((r) => r[key])).toFixed(key === 'p99' ? 1 : 0);
const summary = (runs: typeof compared.berth) =>
  `${medianOf(runs, 'perSecond')}/s, p99 ${medianOf(runs, 'p99')} ms, cpu ${medianOf(runs, 'cpuMicros')} µs per delivery`;
console.log(`medians: bare Probot ${summary(compared.probot)}; Berth ${summary(compared.berth)}`);
console.log(
  `Berth / bare Probot acknowledgements per second (median of the rounds' ratios): ${compared.ratio.toFixed(2)}×`,
);
const flush = new Redis(redis.url);
await flush.flushall();
flush.disconnect();

const stack = testStack(redis.url);
const inner = stack.service;
const builds: BuildService = {
  request: async (request) => {
    const result = await inner.request(request);
    queuedAt.set(request.deliveryId ?? '', performance.now());
    return result;
  },
  cancel: (filter, reason) => inner.cancel(filter, reason),
  get: (id) => inner.get(id),
  list: (filter) => inner.list(filter),
};

const h = await startHarness(builds, async () => [], redis);
const base = example('push', undefined, (p) => String(p.ref).startsWith('refs/heads/'));
const sentAt = new Map<string, number>();
const ackMs: number[] = [];
let busy = 0;

async function one(n: number) {
  const id = `bench-${n}`;
  const sha = (n + 1).toString(16).padStart(40, 'f');
  h.fake.addFile(sha, '.wharf-ci.yml', 'build:\n  unit:\n    container:\n      image: alpine\n');
  const payload = { ...base, after: sha, deleted: false };
  const started = performance.now();
  sentAt.set(id, started);
  const status = await h.deliver('push', payload, { id });
  ackMs.push(performance.now() - started);
  if (status === 503) {
    busy += 1;
    sentAt.delete(id);
  } else if (status !== 200) throw new Error(`delivery ${id} answered ${status}`);
}

// Unloaded: one delivery at a time, each waited for until its job is queued.
const single: number[] = [];
for (let n = 0; n < 100; n++) {
  await one(1_000_000 + n);
  await h.plugin.drain(30_000);
  const id = `bench-${1_000_000 + n}`;
  single.push((queuedAt.get(id) ?? Number.NaN) - (sentAt.get(id) ?? 0));
}
ackMs.length = 0;
queuedAt.clear();
sentAt.clear();

const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) await one(next++);
  }),
);
const ackSeconds = (performance.now() - started) / 1000;
await h.plugin.drain(300_000);
const queuedSeconds = (Math.max(...queuedAt.values()) - started) / 1000;
const toQueued = [...sentAt].map(([id, at]) => (queuedAt.get(id) ?? Number.NaN) - at);
await h.stop();
await stack.close();
await redis.stop();

const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)] ?? 0;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const lost = toQueued.filter(Number.isNaN).length;
console.log(
  `one at a time: to queued p50 ${ms(pct(single, 0.5))}, p99 ${ms(pct(single, 0.99))} (100 deliveries)`,
);
console.log(
  `burst: deliveries ${total}, concurrency ${concurrency}, 503 busy ${busy}, accepted but not queued ${lost}`,
);
console.log(
  `acknowledged: ${(total / ackSeconds).toFixed(0)}/s, p50 ${ms(pct(ackMs, 0.5))}, p99 ${ms(pct(ackMs, 0.99))}`,
);
console.log(
  `queued:       ${(toQueued.length / queuedSeconds).toFixed(0)}/s, p50 ${ms(pct(toQueued, 0.5))}, p99 ${ms(pct(toQueued, 0.99))}`,
);
