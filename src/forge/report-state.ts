import type { BuildRecord } from '../builds/types.ts';
import type { RedisClient } from '../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import { withReportLock } from './report-lock.ts';

/** What was last written for a status context, to write again only on change. */
export interface WrittenStatus {
  buildId: string;
  createdAt: string;
  /** Progress of the build when written: queued 0, running 1 + stage, final 1000. */
  rank: number;
  text: string;
}

/** The check run last written for a build: its id on the forge and how far it showed the build. */
export interface WrittenCheck {
  id: number;
  rank: number;
  text: string;
}

/** What the reporter remembers between calls and processes (RedisClient). */
export interface ReportState {
  lastStatus(key: string): Promise<WrittenStatus | null>;
  saveStatus(key: string, written: WrittenStatus): Promise<void>;
  /** The check run of a build (by build id), when one was written. */
  lastCheck(buildId: string): Promise<WrittenCheck | null>;
  saveCheck(buildId: string, written: WrittenCheck): Promise<void>;
  /** The build the summary comment of a PR/MR shows now; null when there is none. */
  summaryOf(key: string): Promise<ShownSummary | null>;
  saveSummary(key: string, value: ShownSummary): Promise<void>;
  /** Runs `work` holding the lock of `key` (one writer per status context / check run / comment at a time). */
  locked<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** Which build the summary comment describes. */
export interface ShownSummary {
  buildId: string;
  status: string;
  createdAt: string;
}

const WEEK = 7 * 86_400;

/** Report state on Redis (`keys.report`), expiring after a week (statuses) or a month (check runs, comments). */
export function createReportState(redis: RedisClient, keys: RedisKeys = redisKeys()): ReportState {
  const k = keys.report;
  const read = async <T>(key: string): Promise<T | null> => {
    const text = await redis.get(key);
    return text ? (JSON.parse(text) as T) : null;
  };
  return {
    lastStatus: (key) => read<WrittenStatus>(k.status(key)),
    saveStatus: async (key, written) => {
      await redis.set(k.status(key), JSON.stringify(written), 'EX', WEEK);
    },
    lastCheck: (buildId) => read<WrittenCheck>(k.check(buildId)),
    saveCheck: async (buildId, written) => {
      await redis.set(k.check(buildId), JSON.stringify(written), 'EX', 30 * 86_400);
    },
    summaryOf: (key) => read(k.summary(key)),
    saveSummary: async (key, value) => {
      await redis.set(k.summary(key), JSON.stringify(value), 'EX', 4 * WEEK);
    },
    locked: (key, work) => withReportLock(redis, k.lock(key), work),
  };
}

/** How far a build has come; a status never moves back to a lower rank of the same build. */
export function progressRank(record: BuildRecord): number {
  if (record.status === 'queued') return 0;
  if (record.status === 'running')
    return (
      1 +
      Math.max(
        0,
        record.stages.findIndex((s) => s.status === 'running'),
      )
    );
  return 1000;
}

/** Whether `next` should replace what is on the forge now. */
export function shouldWrite(previous: WrittenStatus | null, next: WrittenStatus): boolean {
  if (!previous) return true;
  if (previous.buildId !== next.buildId) return next.createdAt >= previous.createdAt;
  return next.rank >= previous.rank && next.text !== previous.text;
}
