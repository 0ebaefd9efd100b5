import { randomUUID } from 'node:crypto';
import { TransientError } from '../errors.ts';
import type { RedisClient } from '../redis/connect.ts';

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * Runs `work` while holding a short Redis lock (`lock`, a key of `keys.report.lock`), so reports of one status
 * context, comment or check run are decided and written one at a time across
 * processes (a stale "queued" can then never land after "success").
 */
export async function withReportLock<T>(
  redis: RedisClient,
  lock: string,
  work: () => Promise<T>,
  options: { holdMs?: number; waitMs?: number } = {},
): Promise<T> {
  const token = randomUUID();
  const until = Date.now() + (options.waitMs ?? 15_000);
  while ((await redis.set(lock, token, 'PX', options.holdMs ?? 30_000, 'NX')) !== 'OK') {
    if (Date.now() > until) throw new TransientError(`report lock ${lock} stayed busy`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, lock, token);
  }
}
