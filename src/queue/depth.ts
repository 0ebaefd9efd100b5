import type { Queue } from 'bullmq';
import { valueWithin } from '../within.ts';

/** How often the queue is really asked, and how long a scrape waits for it. */
export interface DepthSamplerOptions {
  /** A count younger than this is served from memory (default 5 s). */
  maxAgeMs?: number;
  /** A count that takes longer is given up on for this scrape: null (default 1 s). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Builds waiting in the queue (`waiting` + `prioritized`: one Redis round trip), for
 * the `berth_queue_depth` gauge. Bounded cost whatever the scrape rate: at most one
 * request in flight, answers cached for `maxAgeMs`, and null instead of waiting on
 * an unreachable Redis (BullMQ's connection retries forever).
 */
export function queueDepthSampler(
  queue: Pick<Queue, 'getJobCountByTypes'>,
  options: DepthSamplerOptions = {},
): () => Promise<number | null> {
  const maxAgeMs = options.maxAgeMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 1000;
  const now = options.now ?? Date.now;
  let cached: { waiting: number; at: number } | null = null;
  let inFlight: Promise<number | null> | null = null;
  const ask = (): Promise<number | null> => {
    inFlight ??= queue
      .getJobCountByTypes('waiting', 'prioritized')
      .then((waiting) => {
        cached = { waiting, at: now() };
        return waiting;
      })
      .catch(() => null)
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  return async () => {
    if (cached && now() - cached.at < maxAgeMs) return cached.waiting;
    return valueWithin(ask(), timeoutMs, null);
  };
}
