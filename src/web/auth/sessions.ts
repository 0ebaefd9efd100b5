import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../../redis-keys.ts';

/** The forges a person can sign in with. */
export type SignInForge = 'github' | 'gitlab';

/** Who a session belongs to: an operator (the admin token) or a forge user. */
export type SessionUser =
  | { kind: 'admin' }
  | { kind: 'forge'; forge: SignInForge; id: string; login: string; name: string | null };

/** A live session. `token` is the user's forge token (never sent to the browser). */
export interface Session {
  user: SessionUser;
  token: string | null;
  expiresAt: number;
  /** A stable, non-secret name of the session (a hash of the cookie), for caches. */
  key: string;
}

/**
 * Sessions in Redis, one key per session named by a hash of the cookie value, expiring
 * with the session. The forge token is sealed with a key derived from the cookie value,
 * so Redis alone cannot yield it; signing out deletes the key.
 */
export interface SessionStore {
  /** A new session; returns the cookie value (the only place the secret exists). */
  create(user: SessionUser, token: string | null): Promise<string>;
  /** The session of a cookie value, or null when unknown, malformed or expired. */
  read(cookie: string): Promise<Session | null>;
  /** Ends the session (idempotent). */
  end(cookie: string): Promise<void>;
  readonly ttlMs: number;
}

/** Options of createSessionStore; `now` is the clock (tests move it). */
export interface SessionStoreOptions {
  redis: RedisClient;
  ttlMs: number;
  /** Key names (default: under `berth`). */
  keys?: RedisKeys;
  now?: () => number;
}

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

interface Stored {
  user: SessionUser;
  expiresAt: number;
  /** iv.ciphertext.tag, base64url, or null. */
  sealed: string | null;
}

/** A Redis-backed session store. */
export function createSessionStore(o: SessionStoreOptions): SessionStore {
  const now = o.now ?? Date.now;
  const keys = o.keys ?? redisKeys();
  const keyOf = (cookie: string) => keys.session(nameOf(cookie));
  return {
    ttlMs: o.ttlMs,
    async create(user, token) {
      const cookie = randomBytes(32).toString('base64url');
      const stored: Stored = { user, expiresAt: now() + o.ttlMs, sealed: token ? seal(cookie, token) : null };
      await o.redis.set(keyOf(cookie), JSON.stringify(stored), 'PX', o.ttlMs);
      return cookie;
    },
    async read(cookie) {
      if (!COOKIE_VALUE.test(cookie)) return null;
      const text = await o.redis.get(keyOf(cookie));
      if (!text) return null;
      const stored = JSON.parse(text) as Stored;
      if (stored.expiresAt <= now()) return null;
      const token = stored.sealed ? open(cookie, stored.sealed) : null;
      if (stored.sealed && token === null) return null;
      return { user: stored.user, token, expiresAt: stored.expiresAt, key: nameOf(cookie) };
    },
    async end(cookie) {
      if (COOKIE_VALUE.test(cookie)) await o.redis.del(keyOf(cookie));
    },
  };
}

const nameOf = (cookie: string) => createHash('sha256').update(`berth-session:${cookie}`).digest('base64url');

const sealKey = (cookie: string) =>
  Buffer.from(hkdfSync('sha256', cookie, 'berth-session', 'forge-token', 32));

function seal(cookie: string, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(cookie), iv);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

function open(cookie: string, sealed: string): string | null {
  const [iv, body, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !body || !tag) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(cookie), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
