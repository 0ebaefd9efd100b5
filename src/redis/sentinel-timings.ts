import { Redis } from 'ioredis';
import type { RedisTarget } from './target.ts';

/** How long the sentinels wait before they fail a primary over, and the failover's bound. */
export interface SentinelTimings {
  downAfterMs: number;
  failoverTimeoutMs: number;
}

type SentinelTarget = Extract<RedisTarget, { kind: 'sentinel' }>;

/**
 * Asks the sentinels (the first that answers within `timeoutMs`) how they watch the
 * primary: `SENTINEL MASTER <name>`. Null when none answers.
 */
export async function sentinelTimings(
  target: SentinelTarget,
  timeoutMs = 2000,
): Promise<SentinelTimings | null> {
  for (const { host, port } of target.sentinels) {
    const sentinel = new Redis({
      host,
      port,
      ...(target.sentinelPassword ? { password: target.sentinelPassword } : {}),
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectionName: 'berth-sentinel-check',
    });
    sentinel.on('error', () => {});
    try {
      await sentinel.connect();
      const fields = fieldsOf(await sentinel.call('SENTINEL', 'MASTER', target.name));
      const downAfterMs = Number(fields.get('down-after-milliseconds'));
      const failoverTimeoutMs = Number(fields.get('failover-timeout'));
      if (Number.isFinite(downAfterMs) && Number.isFinite(failoverTimeoutMs))
        return { downAfterMs, failoverTimeoutMs };
    } catch {
      // the next sentinel
    } finally {
      sentinel.disconnect();
    }
  }
  return null;
}

/** A RESP2 flat array of fields and values, or a RESP3 map, as a Map. */
function fieldsOf(reply: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
  } else if (reply instanceof Map) {
    for (const [k, v] of reply) fields.set(String(k), String(v));
  } else if (reply && typeof reply === 'object') {
    for (const [k, v] of Object.entries(reply)) fields.set(k, String(v));
  }
  return fields;
}

/**
 * Longest a worker's lock should take to lapse so a failover does not hand its builds
 * to another worker: the sentinels notice after `down-after-milliseconds`, agree and
 * promote in about a second or two, and clients reconnect with backoff (ioredis: up to
 * ~3 s more). Below this, a failover can make a running build run again.
 */
export const lockFloorMs = (t: SentinelTimings): number => t.downAfterMs + 5000;
