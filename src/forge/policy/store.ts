import type { RedisClient } from '../../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../../redis-keys.ts';
import type { Permission, RepoRef } from '../types.ts';

/** What the policy remembers between deliveries (RedisClient, so every web replica agrees). */
export interface PolicyStore {
  /** True the first time a delivery id is seen; false for a redelivery. */
  claimDelivery(repo: RepoRef, deliveryId: string): Promise<boolean>;
  /** Forgets a claim so a redelivery of a delivery that failed is handled again. */
  releaseDelivery(repo: RepoRef, deliveryId: string): Promise<void>;
  /** Pins an `/ok-to-test` approval of a PR/MR to its head sha. */
  approve(repo: RepoRef, change: number, sha: string): Promise<void>;
  approvedSha(repo: RepoRef, change: number): Promise<string | null>;
  /**
   * Notes that `sha` is the head of a PR/MR, seen at `atMs`; the first sighting of a
   * head is kept, so `headSince` says from when Berth knew it as the head.
   */
  sawHead(repo: RepoRef, change: number, sha: string, atMs: number): Promise<void>;
  headSince(repo: RepoRef, change: number): Promise<{ sha: string; atMs: number } | null>;
  cachedPermission(repo: RepoRef, user: string): Promise<Permission | null>;
  cachePermission(repo: RepoRef, user: string, permission: Permission): Promise<void>;
  /** True the first time `what` is asked for this PR/MR (replies at most once). */
  firstTime(repo: RepoRef, change: number, what: string): Promise<boolean>;
  markSkipped(repo: RepoRef, sha: string): Promise<void>;
  wasSkipped(repo: RepoRef, sha: string): Promise<boolean>;
}

/** Lifetimes of what the policy store keeps, in seconds. */
export interface PolicyTtls {
  delivery: number;
  approval: number;
  permission: number;
  reply: number;
  skipped: number;
}

const DAY = 86_400;
const defaults: PolicyTtls = {
  delivery: DAY,
  approval: 30 * DAY,
  permission: 60,
  reply: 30 * DAY,
  skipped: 7 * DAY,
};

/** The policy store on Redis; keys (`keys.policy`) expire on their own. */
export function createPolicyStore(
  redis: RedisClient,
  keys: RedisKeys = redisKeys(),
  ttls: Partial<PolicyTtls> = {},
): PolicyStore {
  const ttl = { ...defaults, ...ttls };
  const key = keys.policy;
  const setOnce = async (k: string, seconds: number) =>
    (await redis.set(k, '1', 'EX', seconds, 'NX')) === 'OK';
  return {
    claimDelivery: (repo, id) => setOnce(key.delivery(repo, id), ttl.delivery),
    releaseDelivery: async (repo, id) => {
      await redis.del(key.delivery(repo, id));
    },
    approve: async (repo, change, sha) => {
      await redis.set(key.approval(repo, change), sha, 'EX', ttl.approval);
    },
    approvedSha: (repo, change) => redis.get(key.approval(repo, change)),
    sawHead: async (repo, change, sha, atMs) => {
      const k = key.head(repo, change);
      const seen = await redis.get(k);
      if (seen?.startsWith(`${sha}@`)) return;
      await redis.set(k, `${sha}@${atMs}`, 'EX', ttl.approval);
    },
    headSince: async (repo, change) => {
      const [sha, at] = (await redis.get(key.head(repo, change)))?.split('@') ?? [];
      return sha && at ? { sha, atMs: Number(at) } : null;
    },
    cachedPermission: async (repo, user) =>
      (await redis.get(key.permission(repo, user))) as Permission | null,
    cachePermission: async (repo, user, permission) => {
      await redis.set(key.permission(repo, user), permission, 'EX', ttl.permission);
    },
    firstTime: (repo, change, what) => setOnce(key.reply(repo, change, what), ttl.reply),
    markSkipped: async (repo, sha) => {
      await redis.set(key.skipped(repo, sha), '1', 'EX', ttl.skipped);
    },
    wasSkipped: async (repo, sha) => (await redis.exists(key.skipped(repo, sha))) === 1,
  };
}
