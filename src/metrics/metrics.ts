import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Small typed recorders other modules take as an optional collaborator. */
export interface Metrics {
  readonly registry: Registry;
  /** A build reached a final state after `seconds` of running. */
  buildFinished(result: string, seconds: number): void;
  /** A step reached a final state after `seconds`. */
  stepFinished(result: string, seconds: number): void;
  /**
   * Samples the queue depth on every scrape with `sample` (null: unknown, the gauge
   * keeps its last value). The sampler bounds its own cost (caching, timeout).
   */
  sampleQueueDepth(sample: () => Promise<number | null>): void;
  /** Time a build waited between being queued and starting. */
  queueWait(seconds: number): void;
  /** One webhook delivery handled (`outcome`: queued, ignored, rejected, failed…). */
  webhookDelivery(forge: string, event: string, outcome: string): void;
  /** One Kubernetes API request (`verb`: create, get, list, watch, delete, exec, log). */
  kubeRequest(verb: string): void;
  /** Log lines stored. */
  logLines(count: number): void;
}

const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
const WAIT_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800];

/** Creates Berth's metrics in `registry` (a fresh one by default, with Node's process metrics). */
export function createMetrics(
  registry = new Registry(),
  options: { processMetrics?: boolean } = {},
): Metrics {
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'berth_' });
  const registers = [registry];
  const builds = new Counter({
    name: 'berth_builds_total',
    help: 'Builds finished, by result',
    labelNames: ['result'],
    registers,
  });
  const buildSeconds = new Histogram({
    name: 'berth_build_duration_seconds',
    help: 'Build running time',
    labelNames: ['result'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const stepSeconds = new Histogram({
    name: 'berth_step_duration_seconds',
    help: 'Step running time',
    labelNames: ['result'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  let sampleDepth: (() => Promise<number | null>) | null = null;
  // Registered only: its value is sampled at each scrape (sampleQueueDepth).
  new Gauge({
    name: 'berth_queue_depth',
    help: 'Builds waiting in the queue',
    registers,
    async collect() {
      const waiting = sampleDepth ? await sampleDepth() : null;
      if (waiting !== null) this.set(waiting);
    },
  });
  const wait = new Histogram({
    name: 'berth_queue_wait_seconds',
    help: 'Time from queued to started',
    buckets: WAIT_BUCKETS,
    registers,
  });
  const webhooks = new Counter({
    name: 'berth_webhook_deliveries_total',
    help: 'Webhook deliveries, by forge, event and outcome',
    labelNames: ['forge', 'event', 'outcome'],
    registers,
  });
  const kube = new Counter({
    name: 'berth_kubernetes_requests_total',
    help: 'Kubernetes API requests, by verb',
    labelNames: ['verb'],
    registers,
  });
  const lines = new Counter({
    name: 'berth_log_lines_total',
    help: 'Log lines written to the log store',
    registers,
  });
  return {
    registry,
    buildFinished(result, seconds) {
      builds.inc({ result });
      buildSeconds.observe({ result }, seconds);
    },
    stepFinished: (result, seconds) => stepSeconds.observe({ result }, seconds),
    sampleQueueDepth(sample) {
      sampleDepth = sample;
    },
    queueWait: (seconds) => wait.observe(seconds),
    webhookDelivery: (forge, event, outcome) => webhooks.inc({ forge, event, outcome }),
    kubeRequest: (verb) => kube.inc({ verb }),
    logLines: (count) => lines.inc(count),
  };
}
