import type { Logger } from 'pino';
import type { Config } from '../../config/load.ts';
import type { RedisClient } from '../../redis/connect.ts';
import type { RedisKeys } from '../../redis-keys.ts';
import { createOAuthFlow, type OAuthFlow } from '../auth/oauth.ts';
import { createSessionStore, type SignInForge } from '../auth/sessions.ts';
import { createWebAccess, type WebAccess } from './access.ts';
import { githubUserForge } from './github-user.ts';
import { gitlabUserForge } from './gitlab-user.ts';
import type { UserForge } from './types.ts';

/** The access rules and sign-in flow of one web process, from Config; sessions live in `redis`. */
export function webAccessFromConfig(o: {
  config: Readonly<Config>;
  redis: RedisClient;
  keys: RedisKeys;
  logger: Logger;
  /** The clock of sessions (tests move it). */
  now?: () => number;
}): { access: WebAccess; flow: OAuthFlow } {
  const { signIn } = o.config;
  const forges: Partial<Record<SignInForge, UserForge>> = {};
  if (signIn.github) forges.github = githubUserForge(signIn.github);
  if (signIn.gitlab) forges.gitlab = gitlabUserForge(signIn.gitlab);
  const sessions = createSessionStore({
    redis: o.redis,
    keys: o.keys,
    ttlMs: signIn.sessionMs,
    ...(o.now ? { now: o.now } : {}),
  });
  const access = createWebAccess({
    sessions,
    redis: o.redis,
    adminToken: o.config.apiToken,
    publicRead: signIn.publicRead,
    forges,
    logger: o.logger,
    keys: o.keys,
  });
  return { access, flow: createOAuthFlow({ redis: o.redis, keys: o.keys }) };
}
