import { createHash } from 'node:crypto';

/** The prefix when BERTH_REDIS_PREFIX is unset. */
export const DEFAULT_REDIS_PREFIX = 'berth';

/** What a build key is derived from (a BuildRequest has these fields). */
interface RequestParts {
  forge: string;
  repo: string;
  ref: string;
  sha?: string;
  change?: number;
  environment?: string;
}

/** A repository as the policy keys name it (a RepoRef has these fields). */
interface RepoParts {
  forge: string;
  repo: string;
}

/** Build records and their indexes. */
export interface BuildKeys {
  build(id: string): string;
  /** `build('')`: the Lua create script appends an id to reach another build's record. */
  buildPrefix: string;
  refCounter(request: RequestParts): string;
  history(repo: string): string;
  recent: string;
  active: string;
  /** Queued/running builds of one repository. */
  activeIn(repo: string): string;
  /** Queued/running builds of one PR/MR or branch (cancel-in-progress). */
  lane(request: RequestParts): string;
  delivery(deliveryId: string): string;
  dedupe(request: RequestParts): string;
  cancelled(id: string): string;
}

/** The forge policy's memory: claimed deliveries, approvals, cached permissions, replies, skips. */
export interface PolicyKeys {
  delivery(repo: RepoParts, deliveryId: string): string;
  approval(repo: RepoParts, change: number): string;
  /** The head a PR/MR was last seen at, and since when. */
  head(repo: RepoParts, change: number): string;
  permission(repo: RepoParts, user: string): string;
  reply(repo: RepoParts, change: number, what: string): string;
  skipped(repo: RepoParts, sha: string): string;
}

/** What the reporter wrote last, and its locks. */
export interface ReportKeys {
  lock(key: string): string;
  status(key: string): string;
  check(buildId: string): string;
  summary(key: string): string;
}

/**
 * Every Redis key, pub/sub channel and BullMQ queue Berth uses, all under one prefix
 * (BERTH_REDIS_PREFIX) written as a hash tag (`{berth}:build:…`), the way BullMQ's
 * QueueKeys names a queue's keys. Two Berths with different prefixes share a Redis
 * without touching each other's keys; on a Redis Cluster each Berth's keys share a slot.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** BullMQ's `prefix` option: a queue's keys are `{<prefix>}:queue:<name>:…`. */
  readonly bullPrefix: string;
  /** BullMQ queue names (under `bullPrefix`). */
  readonly queues: {
    /** Every build goes through it. */
    builds: string;
    /** Accepted webhook deliveries of one kind (`github`, `gitlab`) wait here for the policy. */
    events(kind: string): string;
  };
  readonly builds: BuildKeys;
  /** Pub/sub channel of cancel requests (every worker listens). */
  readonly cancelChannel: string;
  /** The Redis Stream of one build's log lines. */
  logs(buildId: string): string;
  /** How many items each log sink of one build stored (makes a resent batch a no-op). */
  logWriters(buildId: string): string;
  /** Base of the log readers' wake-up streams (`<base>:<reader id>`). */
  readonly logsWake: string;
  /** Base of the concurrency slots' keys (src/queue/slots/script.ts). */
  readonly slots: string;
  readonly policy: PolicyKeys;
  readonly report: ReportKeys;
  /** A file at a commit, as the forges' cache of `.wharf-ci.yml` reads keeps it. */
  commitFile(repo: RepoParts, sha: string, path: string): string;
  /** A sign-in session, by the hash of its cookie. */
  session(name: string): string;
  /** A pending OAuth sign-in, by the hash of its state. */
  oauth(stateHash: string): string;
  /** A session's cached permission on one repository. */
  access(sessionKey: string, forge: string, repo: string): string;
}

const digest = (parts: string[]): string => createHash('sha1').update(parts.join('\0')).digest('hex');

/** The key plan under `prefix`. */
export function redisKeys(prefix: string = DEFAULT_REDIS_PREFIX): RedisKeys {
  // One hash tag for every key: on a Redis Cluster they all share a slot, so every
  // multi-key script and BullMQ's queue scripts stay legal (CROSSSLOT otherwise).
  const tag = `{${prefix}}`;
  const p = (...parts: Array<string | number>) => [tag, ...parts].join(':');
  const policy = (kind: string, repo: RepoParts, ...rest: Array<string | number>) =>
    p('policy', kind, repo.forge, repo.repo, ...rest);
  const plan: RedisKeys = {
    prefix,
    bullPrefix: p('queue'),
    queues: { builds: 'builds', events: (kind: string) => `events-${kind}` },
    builds: {
      build: (id) => p('build', id),
      buildPrefix: p('build', ''),
      refCounter: (r) => p('build-ref', digest([r.forge, r.repo])),
      history: (repo) => p('history', digest([repo])),
      recent: p('recent'),
      active: p('active'),
      activeIn: (repo) => p('active', digest([repo])),
      lane: (r) =>
        p('lane', digest([r.forge, r.repo, r.change === undefined ? `ref:${r.ref}` : `change:${r.change}`])),
      delivery: (id) => p('delivery', digest([id])),
      dedupe: (r) => p('dedupe', digest([r.forge, r.repo, r.sha ?? `ref:${r.ref}`, r.environment ?? ''])),
      cancelled: (id) => p('cancel-requested', id),
    },
    cancelChannel: p('cancel'),
    logs: (buildId) => p('logs', buildId),
    logWriters: (buildId) => p('log-writers', buildId),
    logsWake: p('logs-wake'),
    slots: p('slots'),
    policy: {
      delivery: (repo, id) => policy('delivery', repo, id),
      approval: (repo, change) => policy('approval', repo, change),
      head: (repo, change) => policy('head', repo, change),
      permission: (repo, user) => policy('permission', repo, user.toLowerCase()),
      reply: (repo, change, what) => policy('reply', repo, change, what),
      skipped: (repo, sha) => policy('skipped', repo, sha),
    },
    report: {
      lock: (key) => p('report', 'lock', key),
      status: (key) => p('report', 'status', key),
      check: (buildId) => p('report', 'check', buildId),
      summary: (key) => p('report', 'summary', key),
    },
    commitFile: (repo, sha, path) => p('commit-file', digest([repo.forge, repo.repo, sha, path])),
    session: (name) => p('session', name),
    oauth: (stateHash) => p('oauth', stateHash),
    access: (sessionKey, forge, repo) => p('access', sessionKey, digest([forge, repo])),
  };
  return Object.freeze(plan);
}
