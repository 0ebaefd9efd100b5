import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Name of the cookie holding a web session. */
export const SESSION_COOKIE = 'berth_session';

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Who may cancel and rerun: a caller with `Authorization: Bearer BERTH_API_TOKEN`, or a
 * browser holding a session cookie derived from the token by HMAC (never the token itself).
 * Changing the token ends every session.
 */
export interface SessionAuth {
  /** True when `candidate` is the API token (constant time). */
  checkToken(candidate: string): boolean;
  /** A cookie value valid until now + ttl. */
  issue(): string;
  /** True when the request carries a valid bearer token or session cookie. */
  authorized(req: IncomingMessage): boolean;
  /** `Set-Cookie` value for a new session (or one that ends it when `value` is empty). */
  cookie(value: string): string;
}

/** Options of createSessionAuth; `now` is the clock (tests move it). */
export interface SessionAuthOptions {
  token: string;
  secure: boolean;
  ttlMs?: number;
  now?: () => number;
}

/** Session auth for one API token. */
export function createSessionAuth(options: SessionAuthOptions): SessionAuth {
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? DEFAULT_TTL_MS;
  const sign = (expires: string) =>
    createHmac('sha256', options.token).update(`berth-session:${expires}`).digest('base64url');
  const verify = (value: string): boolean => {
    const [expires, mac] = value.split('.');
    if (!expires || !mac || !/^\d+$/.test(expires) || Number(expires) <= now()) return false;
    return safeEqual(mac, sign(expires));
  };
  return {
    checkToken: (candidate) => safeEqual(candidate, options.token),
    issue() {
      const expires = String(now() + ttl);
      return `${expires}.${sign(expires)}`;
    },
    authorized(req) {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (bearer !== undefined) return safeEqual(bearer.trim(), options.token);
      const session = readCookie(req, SESSION_COOKIE);
      return session !== undefined && verify(session);
    },
    cookie(value) {
      const age = value ? Math.floor(ttl / 1000) : 0;
      const secure = options.secure ? '; Secure' : '';
      return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${age}${secure}`;
    },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One cookie's value from the request, if present. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
