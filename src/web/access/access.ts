import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ForgeError } from '../../errors.ts';
import type { Permission } from '../../forge/types.ts';
import type { RedisClient } from '../../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../../redis-keys.ts';
import type { ForgeName } from '../../vocab/index.ts';
import { readCookie, SESSION_COOKIE } from '../auth/cookies.ts';
import type { Session, SessionStore, SignInForge } from '../auth/sessions.ts';
import { TokenRejectedError, type UserForge } from './types.ts';

/** Who is asking: nobody, an operator (admin token or its session), or a signed-in forge user. */
export type Viewer =
  | { kind: 'anonymous' }
  | { kind: 'admin'; cookie: string | null }
  | {
      kind: 'user';
      forge: SignInForge;
      login: string;
      name: string | null;
      cookie: string;
      session: Session;
    };

/** A repository a build belongs to. */
export interface Target {
  forge: ForgeName;
  repo: string;
}

/**
 * Who may see and act on which builds. Read: the admin, or a user the forge lets read
 * the repository (asked with the user's own token, cached 5 minutes), or anyone with
 * BERTH_PUBLIC_READ. Write (cancel, rerun, start): the admin, or a user with write
 * access (the rule `/retest` uses). `local:` builds: the admin only.
 */
export interface WebAccess {
  readonly publicRead: boolean;
  readonly sessions: SessionStore;
  /** The forges one can sign in with. */
  readonly forges: Partial<Record<SignInForge, UserForge>>;
  /** Whether the admin token sign-in is on (BERTH_API_TOKEN set). */
  readonly adminSignIn: boolean;
  viewer(req: IncomingMessage): Promise<Viewer>;
  permission(viewer: Viewer, target: Target, signal?: AbortSignal): Promise<Permission>;
  canRead(viewer: Viewer, target: Target, signal?: AbortSignal): Promise<boolean>;
  canWrite(viewer: Viewer, target: Target, signal?: AbortSignal): Promise<boolean>;
  /** The items whose target the viewer may read, order kept. */
  readable<T>(viewer: Viewer, items: T[], targetOf: (item: T) => Target): Promise<T[]>;
  /** True when the bearer token is the admin token (constant time). */
  isAdminToken(candidate: string): boolean;
}

/** What createWebAccess needs. */
export interface WebAccessOptions {
  sessions: SessionStore;
  redis: RedisClient;
  adminToken: string | null;
  publicRead: boolean;
  forges: Partial<Record<SignInForge, UserForge>>;
  logger: Logger;
  /** Key names (default: under `berth`). */
  keys?: RedisKeys;
  /** How long a forge's answer about a user's access is trusted (at most 5 minutes). */
  cacheMs?: number;
}

const CACHE_MS = 5 * 60_000;
const PERMISSIONS: readonly Permission[] = ['admin', 'write', 'read', 'none'];
const digest = (text: string) => createHash('sha256').update(text).digest();

/** The access rules over a session store, the admin token and the sign-in forges. */
export function createWebAccess(o: WebAccessOptions): WebAccess {
  const keys = o.keys ?? redisKeys();
  const cacheSeconds = Math.max(1, Math.floor(Math.min(o.cacheMs ?? CACHE_MS, CACHE_MS) / 1000));
  const isAdminToken = (candidate: string) =>
    o.adminToken !== null && timingSafeEqual(digest(candidate), digest(o.adminToken));

  async function permission(viewer: Viewer, target: Target, signal?: AbortSignal): Promise<Permission> {
    if (viewer.kind === 'admin') return 'admin';
    if (viewer.kind === 'anonymous' || viewer.forge !== target.forge) return 'none';
    const forge = o.forges[viewer.forge];
    const token = viewer.session.token;
    if (!forge || !token) return 'none';
    const key = keys.access(viewer.session.key, target.forge, target.repo);
    const cached = (await o.redis.get(key)) as Permission | null;
    if (cached && PERMISSIONS.includes(cached)) return cached;
    try {
      const found = await forge.permission(token, target.repo, signal ?? AbortSignal.timeout(15_000));
      await o.redis.set(key, found, 'EX', cacheSeconds);
      return found;
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        o.logger.info({ forge: viewer.forge }, 'forge refused a session token; session ended');
        await o.sessions.end(viewer.cookie);
        return 'none';
      }
      // Deny by default while the forge cannot answer. The error itself is not logged:
      // a client library's error may carry the request, and so the user's token.
      const status = error instanceof ForgeError ? error.status : null;
      o.logger.warn({ forge: viewer.forge, status }, 'forge did not say whether the user may read; denied');
      return 'none';
    }
  }
  const canRead = async (viewer: Viewer, target: Target, signal?: AbortSignal) => {
    if (o.publicRead) return true;
    const found = await permission(viewer, target, signal);
    return found !== 'none';
  };
  const canWrite = async (viewer: Viewer, target: Target, signal?: AbortSignal) => {
    if (target.forge === 'local' && viewer.kind !== 'admin') return false;
    const found = await permission(viewer, target, signal);
    return found === 'admin' || found === 'write';
  };
  return {
    publicRead: o.publicRead,
    sessions: o.sessions,
    forges: o.forges,
    adminSignIn: o.adminToken !== null,
    isAdminToken,
    async viewer(req) {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (bearer !== undefined)
        return isAdminToken(bearer) ? { kind: 'admin', cookie: null } : { kind: 'anonymous' };
      const cookie = readCookie(req, SESSION_COOKIE);
      const session = cookie ? await o.sessions.read(cookie) : null;
      if (!cookie || !session) return { kind: 'anonymous' };
      const { user } = session;
      if (user.kind === 'admin') return { kind: 'admin', cookie };
      return { kind: 'user', forge: user.forge, login: user.login, name: user.name, cookie, session };
    },
    permission,
    canRead,
    canWrite,
    async readable(viewer, items, targetOf) {
      if (o.publicRead || viewer.kind === 'admin') return items;
      if (viewer.kind === 'anonymous') return [];
      const targets = new Map<string, Target>();
      for (const item of items) {
        const target = targetOf(item);
        targets.set(`${target.forge}:${target.repo}`, target);
      }
      const verdicts = new Map<string, boolean>();
      const queue = [...targets];
      // At most 8 forge checks at once (most answers come from the cache).
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift())
          verdicts.set(next[0], await canRead(viewer, next[1]));
      };
      await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
      return items.filter((item) => {
        const target = targetOf(item);
        return verdicts.get(`${target.forge}:${target.repo}`) === true;
      });
    },
  };
}
