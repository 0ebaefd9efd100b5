import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from '../../web/types.ts';

/** GitHub caps webhook payloads at 25 MB. */
const MAX_BODY = 25 * 1024 * 1024;

type Middleware = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The webhook endpoint: reads the raw body, checks `X-Hub-Signature-256` over those
 * bytes in constant time (401 when it does not match, before anything is parsed), then
 * hands the request to Probot's middleware with the raw body attached.
 */
export function webhookHandler(options: {
  path: string;
  secret: string;
  middleware: Middleware;
}): HttpHandler {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (path !== options.path) return false;
    if (req.method !== 'POST') return (await options.middleware(req, res)) === true;
    const raw = await readBody(req);
    if (raw === null) return answer(res, 413, 'payload too large');
    if (!signatureMatches(options.secret, raw, req.headers['x-hub-signature-256'])) {
      return answer(res, 401, 'signature does not match the payload and WEBHOOK_SECRET');
    }
    req.rawBody = raw;
    req.body = {};
    return (await options.middleware(req, res)) === true;
  };
}

/** `sha256=HMAC(secret, raw body)` compared in constant time. */
export function signatureMatches(
  secret: string,
  raw: Buffer,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, error: string): true {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  return true;
}
