import type { RedisClient } from '../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../redis-keys.ts';
import type { RepoRef } from './types.ts';

/**
 * Files at a commit never change, so a read of (forge, repo, sha, path) is kept briefly
 * in Redis: the policy's "is there a pipeline file" check and the worker's plan of the
 * same event read the forge once (web and worker may be different processes).
 */
export interface CommitFiles {
  /** The cached text (null: the file does not exist), else `load()`'s answer, then kept. */
  read(repo: RepoRef, sha: string, path: string, load: () => Promise<string | null>): Promise<string | null>;
}

export interface CommitFilesOptions {
  /** How long a read is kept (default one hour: a queued build still finds it). */
  ttlSeconds?: number;
  /** Larger files are not kept (default 256 KiB). */
  maxBytes?: number;
}

const ABSENT = '0';
const PRESENT = '1';

/** The cache on Redis; keys (`keys.commitFile`) expire on their own. */
export function createCommitFiles(
  redis: RedisClient,
  options: CommitFilesOptions = {},
  keys: RedisKeys = redisKeys(),
): CommitFiles {
  const ttl = options.ttlSeconds ?? 3600;
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const key = (repo: RepoRef, sha: string, path: string) => keys.commitFile(repo, sha, path);
  return {
    async read(repo, sha, path, load) {
      const k = key(repo, sha, path);
      const kept = await redis.get(k).catch(() => null);
      if (kept !== null) return kept === ABSENT ? null : kept.slice(PRESENT.length);
      const text = await load();
      if (text === null || Buffer.byteLength(text) <= maxBytes) {
        // A cache that cannot be written only costs the next reader a request.
        await redis.set(k, text === null ? ABSENT : `${PRESENT}${text}`, 'EX', ttl).catch(() => {});
      }
      return text;
    },
  };
}
