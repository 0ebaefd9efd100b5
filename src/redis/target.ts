/** A Redis node's address. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Where Berth's Redis is: one server (REDIS_URL), a Sentinel-watched primary
 * (REDIS_SENTINELS + REDIS_SENTINEL_NAME) or a Redis Cluster (REDIS_CLUSTER_NODES).
 * With Sentinel or Cluster, REDIS_URL (when set) gives only the data nodes' user,
 * password, database and TLS (`rediss:`); its host is not used.
 */
export type RedisTarget =
  | string
  | {
      kind: 'sentinel';
      sentinels: HostPort[];
      name: string;
      url: string | null;
      sentinelPassword: string | null;
    }
  | { kind: 'cluster'; nodes: HostPort[]; url: string | null };

/** What a log line and the docs call the target; never a password. */
export function describeTarget(target: RedisTarget): string {
  if (typeof target === 'string') return redactUrl(target);
  const nodes = (target.kind === 'sentinel' ? target.sentinels : target.nodes).map(
    (n) => `${n.host}:${n.port}`,
  );
  return target.kind === 'sentinel'
    ? `sentinel ${target.name} via ${nodes.join(',')}`
    : `cluster via ${nodes.join(',')}`;
}

/** The URL without its password. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'redis (unparseable URL)';
  }
}
