import type { IncomingMessage, ServerResponse } from 'node:http';

/** Writes a JSON answer (never cached: build state changes). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** The body as text, refusing more than `limit` bytes (null then). */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Path and query of a request. */
export function urlOf(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://berth.invalid');
}
