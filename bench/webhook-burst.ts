// A webhook client for the ingress bench: POSTs one signed body with fresh delivery ids,
// `concurrency` at a time over keep-alive connections, and times each acknowledgement.
import { Agent, request } from 'node:http';

/** One burst's figures. */
export interface Burst {
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time of this process (client and server alike) per delivery, in microseconds. */
  cpuMicros: number;
  /** Answers other than `expect`, by status. */
  others: Record<number, number>;
}

/** What every delivery of a burst carries (the body is signed once). */
export interface Delivery {
  url: string;
  event: string;
  body: string;
  signature: string;
  /** The status that means "acknowledged" (200 for both GitHub ingresses). */
  expect: number;
}

let counter = 0;

/** Sends `total` deliveries, `concurrency` in flight, and measures them to the answer. */
export async function burst(d: Delivery, total: number, concurrency: number): Promise<Burst> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(d.url);
  const times: number[] = [];
  const others: Record<number, number> = {};
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(d.body),
            'x-github-event': d.event,
            'x-github-delivery': `bench-${process.pid}-${++counter}`,
            'x-hub-signature-256': d.signature,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            times.push(performance.now() - started);
            const status = res.statusCode ?? 0;
            if (status !== d.expect) others[status] = (others[status] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(d.body);
    });
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return {
    perSecond: total / seconds,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    cpuMicros: (used.user + used.system) / total,
    others,
  };
}

/** The p-th percentile (0..1) of `values`. */
export const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)] ?? 0;

/** The median of `values`. */
export const median = (values: number[]): number => percentile(values, 0.5);
