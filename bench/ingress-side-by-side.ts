// Berth's GitHub ingress against a bare Probot app, in one run: the same signed `push`
// body, fresh delivery ids, `concurrency` in flight, rounds alternating between the two
// so that load from other processes falls on both. Berth's handler runs behind its own
// web server and delivery meter (as `berth serve` mounts it) and stores each delivery in
// the `events-github` queue before it answers; its events worker is not started
// here, so the figure is the ingress alone (handling is measured by bench/ingress.ts's
// other sections).
import { sign } from '@octokit/webhooks-methods';
import { Redis } from 'ioredis';
import { createDurableDispatcher } from '../src/forge/durable-dispatcher.ts';
import { createMetrics } from '../src/metrics/metrics.ts';
import { meterWebhooks } from '../src/metrics/webhooks.ts';
import { createWebServer } from '../src/web/server.ts';
import { example, SECRET, startHarness } from '../test/forge/github/harness.ts';
import { MemoryBuilds } from '../test/support/memory-builds.ts';
import { quietLogger } from '../test/support/queue-harness.ts';
import type { TestRedis } from '../test/support/redis.ts';
import { startBareProbot } from './bare-probot.ts';
import { type Burst, burst, median } from './webhook-burst.ts';

/** Each round's figures for both servers, and the median of the rounds' ratios. */
export interface SideBySide {
  berth: Burst[];
  probot: Burst[];
  /** Median over rounds of Berth's acknowledgements per second / bare Probot's in the same round. */
  ratio: number;
}

/** Runs `rounds` alternating bursts of `total` deliveries against both; prints each round. */
export async function sideBySide(
  redis: TestRedis,
  o: { total: number; concurrency: number; rounds: number },
): Promise<SideBySide> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const dispatcher = createDurableDispatcher({ connection, logger: quietLogger });
  const h = await startHarness(new MemoryBuilds(), undefined, redis, { dispatcher });
  const metered = h.plugin.handlers.map((handler) =>
    meterWebhooks(handler, createMetrics(), { forge: 'github', eventHeader: 'x-github-event' }),
  );
  const web = createWebServer({ handlers: metered, logger: quietLogger });
  const { port } = await web.listen(0, '127.0.0.1');
  const probot = await startBareProbot(SECRET);
  const body = JSON.stringify(example('push', undefined, (p) => String(p.ref).startsWith('refs/heads/')));
  const signature = await sign(SECRET, body);
  const at = (url: string) => ({ url, event: 'push', body, signature, expect: 200 });
  const berthAt = at(`http://127.0.0.1:${port}/api/github/webhooks`);
  const probotAt = at(probot.url);
  // Warm both up (JIT, connections, Redis scripts) before anything counts.
  await burst(berthAt, 500, o.concurrency);
  await burst(probotAt, 500, o.concurrency);
  const result: SideBySide = { berth: [], probot: [], ratio: 0 };
  try {
    for (let round = 1; round <= o.rounds; round++) {
      const first = round % 2 === 1;
      const [a, b] = first ? [probotAt, berthAt] : [berthAt, probotAt];
      const ra = await burst(a, o.total, o.concurrency);
      const rb = await burst(b, o.total, o.concurrency);
      const [p, berth] = first ? [ra, rb] : [rb, ra];
      result.probot.push(p);
      result.berth.push(berth);
      console.log(
        `round ${round}: bare Probot ${line(p)} | Berth ${line(berth)} | ratio ${(berth.perSecond / p.perSecond).toFixed(2)}×`,
      );
    }
  } finally {
    await probot.stop();
    await web.close();
    await h.stop();
    await dispatcher.close(1000);
    connection.disconnect();
  }
  result.ratio = median(result.berth.map((r) => r.perSecond)) / median(result.probot.map((r) => r.perSecond));
  return result;
}

function line(r: Burst): string {
  const others = Object.entries(r.others).map(([status, n]) => ` ${n}×${status}`);
  return `${r.perSecond.toFixed(0)}/s p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms, cpu ${r.cpuMicros.toFixed(0)} µs${others.join('')}`;
}
