import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '../../../src/web/types.ts';

type Json = Record<string, unknown>;

/** A GitLab hook payload from test/forge/gitlab/fixtures, with `patch` merged in deeply. */
export function fixture(name: string, patch: Json = {}): Json {
  const base = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Json;
  return merge(base, patch);
}

function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const inner = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && inner && typeof inner === 'object'
        ? merge(inner as Json, value as Json)
        : value;
  }
  return out;
}

/** A real node:http server asking `handlers` in turn (404 when none answers). */
export async function serve(handlers: HttpHandler[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Posts a hook the way GitLab does (its delivery headers included; the event UUID is new each time). */
export async function postHook(
  url: string,
  event: string,
  payload: unknown,
  options: { token: string; idempotencyKey?: string },
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}/api/gitlab/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': event,
      'x-gitlab-token': options.token,
      'user-agent': 'GitLab/18.5.0',
      'x-gitlab-event-uuid': randomUUID(),
      'x-gitlab-webhook-uuid': '2f4e4c54-0d5b-4b0e-9d6e-2f8f3f1b7a11',
      'x-gitlab-instance': 'https://gitlab.example.com',
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Json };
}
