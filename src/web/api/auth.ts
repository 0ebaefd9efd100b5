import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the request carries `Authorization: Bearer <token>`; constant-time compare. */
export function hasBearer(req: IncomingMessage, token: string | null): boolean {
  if (!token) return false;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), digest(token));
}
