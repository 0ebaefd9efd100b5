/** Messages and codes by which ioredis and Redis say Redis cannot answer now (a restart, a failover). */
const NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const MESSAGES =
  /^(CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN|NOREPLICAS)\b|^Connection is closed|^Stream isn't writeable|^Too many Cluster redirections|^Failed to refresh slots cache|^None of startup nodes is available|^All sentinels are unreachable/;

/**
 * Whether `error` says Redis is away for now rather than that a request was wrong: the
 * caller answers 503 with Retry-After (and does not log a stack) instead of 500.
 */
export function isRedisUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (NAMES.has(e.name) || (typeof code === 'string' && CODES.has(code)) || MESSAGES.test(e.message))
      return true;
    e = (e as { cause?: unknown }).cause ?? (e as { lastNodeError?: unknown }).lastNodeError;
  }
  return false;
}
