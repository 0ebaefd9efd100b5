import type { IncomingMessage } from 'node:http';

/** Name of the cookie holding a web session. */
export const SESSION_COOKIE = 'berth_session';
/** Name of the short-lived cookie tying an OAuth callback to the browser that started it. */
export const OAUTH_COOKIE = 'berth_oauth';

/** One cookie's value from the request, if present. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A `Set-Cookie` value: HttpOnly, SameSite=Lax (the forge's redirect back is a
 * cross-site navigation), Secure when Berth's public URL is https. An empty value ends it.
 */
export function setCookie(
  name: string,
  value: string,
  o: { maxAgeMs: number; secure: boolean; path?: string },
): string {
  const age = value ? Math.floor(o.maxAgeMs / 1000) : 0;
  const secure = o.secure ? '; Secure' : '';
  return `${name}=${value}; Path=${o.path ?? '/'}; HttpOnly; SameSite=Lax; Max-Age=${age}${secure}`;
}
