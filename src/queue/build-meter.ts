import { isFinal } from '../builds/state.ts';
import type { BuildRecord } from '../builds/types.ts';
import type { Metrics } from '../metrics/metrics.ts';

/** The recorders a worker feeds from the records it writes. */
export type BuildMetrics = Pick<Metrics, 'buildFinished' | 'stepFinished' | 'queueWait'>;

const RAN = new Set(['success', 'failed', 'error', 'cancelled']);

/**
 * Turns the records one worker writes for one build into metrics: each step run
 * (by its start time, so a rerun after a takeover counts again) and the build once,
 * the first time a written record shows them final. Steps that never started
 * (skipped, cancelled while pending) have no duration and are not counted.
 */
export class BuildMeter {
  readonly #metrics: BuildMetrics;
  readonly #seen = new Set<string>();
  #buildDone = false;

  /** `baseline`: the record as claimed; what is already final there was counted by another worker. */
  constructor(metrics: BuildMetrics, baseline: BuildRecord) {
    this.#metrics = metrics;
    for (const key of finishedSteps(baseline).map((s) => s.key)) this.#seen.add(key);
    this.#buildDone = isFinal(baseline.status);
  }

  /** Records what became final in `record`. */
  observe(record: BuildRecord): void {
    for (const step of finishedSteps(record)) {
      if (this.#seen.has(step.key)) continue;
      this.#seen.add(step.key);
      this.#metrics.stepFinished(step.status, step.seconds);
    }
    if (this.#buildDone || !isFinal(record.status)) return;
    this.#buildDone = true;
    this.#metrics.buildFinished(record.status, seconds(record.startedAt, record.finishedAt));
  }
}

function finishedSteps(record: BuildRecord) {
  return record.stages.flatMap((stage) =>
    stage.steps.flatMap((step) =>
      RAN.has(step.status) && step.startedAt && step.finishedAt
        ? [
            {
              key: `${stage.name}\u0000${step.name}\u0000${step.startedAt}`,
              status: step.status,
              seconds: seconds(step.startedAt, step.finishedAt),
            },
          ]
        : [],
    ),
  );
}

/** Seconds between two ISO times; 0 when either is missing or they are out of order. */
export function seconds(from: string | null, to: string | null): number {
  if (!from || !to) return 0;
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}
