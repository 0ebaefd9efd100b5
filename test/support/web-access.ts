// Berth's real access rules (sessions in Redis, forge checks) for web tests that serve the
// page and API handlers directly: one private redis-server per call.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createWebAccess, type WebAccess } from '../../src/web/access/access.ts';
import type { UserForge } from '../../src/web/access/types.ts';
import { createOAuthFlow, type OAuthFlow } from '../../src/web/auth/oauth.ts';
import { createSessionStore, type SignInForge } from '../../src/web/auth/sessions.ts';
import { startRedis } from './redis.ts';

/** Options of testAccess; everything defaults to closed (no admin token, not public, no forges). */
export interface TestAccessOptions {
  adminToken?: string | null;
  publicRead?: boolean;
  forges?: Partial<Record<SignInForge, UserForge>>;
  ttlMs?: number;
  now?: () => number;
}

/** A WebAccess over a fresh Redis; `adminCookie()` is a `Cookie` header of an admin session. */
export async function testAccess(o: TestAccessOptions = {}): Promise<{
  access: WebAccess;
  flow: OAuthFlow;
  redis: Redis;
  adminCookie(): Promise<string>;
  close(): Promise<void>;
}> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const sessions = createSessionStore({
    redis,
    ttlMs: o.ttlMs ?? 8 * 3600_000,
    ...(o.now ? { now: o.now } : {}),
  });
  const access = createWebAccess({
    sessions,
    redis,
    adminToken: o.adminToken ?? null,
    publicRead: o.publicRead ?? false,
    forges: o.forges ?? {},
    logger: pino({ level: 'silent' }),
  });
  return {
    access,
    flow: createOAuthFlow({ redis }),
    redis,
    adminCookie: async () => `berth_session=${await sessions.create({ kind: 'admin' }, null)}`,
    close: async () => {
      redis.disconnect();
      await server.stop();
    },
  };
}
