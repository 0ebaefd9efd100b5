import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { lockFloorMs, sentinelTimings } from '../redis/sentinel-timings.ts';

/**
 * How long a worker's lock on its build lasts. A lock that lapses while Redis fails over
 * hands the running build to another worker, which runs it again; so with Sentinel and
 * BERTH_LOCK_SECONDS unset the lock is raised to outlast a failover (the sentinels'
 * down-after-milliseconds + 5 s), at the cost of a slower takeover when a worker dies.
 * A BERTH_LOCK_SECONDS that is set is kept, with a warning when it is shorter.
 */
export async function workerLockMs(config: Readonly<Config>, logger: Logger): Promise<number> {
  const { lockMs, lockGiven } = config.takeover;
  if (config.redisHa?.kind !== 'sentinel') return lockMs;
  const timings = await sentinelTimings(config.redisHa);
  if (!timings) return lockMs;
  const floor = lockFloorMs(timings);
  if (lockMs >= floor) return lockMs;
  const meta = { lockSeconds: lockMs / 1000, downAfterMs: timings.downAfterMs, atLeastSeconds: floor / 1000 };
  if (lockGiven) {
    logger.warn(
      meta,
      'BERTH_LOCK_SECONDS is shorter than a Sentinel failover takes: a failover can make running builds run again; raise it or lower down-after-milliseconds',
    );
    return lockMs;
  }
  logger.info(meta, 'worker lock raised to outlast a Sentinel failover (set BERTH_LOCK_SECONDS to choose)');
  return floor;
}
