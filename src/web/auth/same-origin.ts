import type { IncomingMessage } from 'node:http';

/**
 * CSRF guard of every state-changing request: a browser always sends Origin on POST,
 * and when present it must name this host. (Session cookies are also SameSite=Lax,
 * so a cross-site POST carries none.)
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
