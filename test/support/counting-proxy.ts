import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request the engine was sent through the proxy. */
export interface ProxiedRequest {
  method: string;
  /** Path without the API version prefix or query, ids replaced by `{id}`: `POST /containers/{id}/start`. */
  route: string;
  /** When the request came in, when the engine's answer began (its headers) and when its first body bytes arrived (ms since epoch). */
  startedAt: number;
  answeredAt: number | null;
  firstBytesAt: number | null;
  /** The registry credentials header (`X-Registry-Auth`) it carried, decoded, or null. */
  registryAuth: unknown;
}

/**
 * An HTTP proxy on a unix socket in front of an engine's socket that records every
 * request (streams, attach and archive bodies passed through unchanged), for counting
 * the requests a runtime makes. `cutEventStreams`: that many `/events` streams are cut
 * right after their first event.
 */
export async function startCountingProxy(upstreamSocket: string, options: { cutEventStreams?: number } = {}) {
  let cutsLeft = options.cutEventStreams ?? 0;
  const dir = await mkdtemp(join(tmpdir(), 'berth-proxy-'));
  const socketPath = join(dir, 'engine.sock');
  const requests: ProxiedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const record: ProxiedRequest = {
      method: incoming.method ?? '?',
      route: routeOf(incoming.url ?? ''),
      startedAt: Date.now(),
      answeredAt: null,
      firstBytesAt: null,
      registryAuth: decodeAuth(incoming.headers['x-registry-auth']),
    };
    requests.push(record);
    const upstream = request(
      { socketPath: upstreamSocket, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        record.answeredAt = Date.now();
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        outgoing.flushHeaders();
        answer.once('data', () => {
          record.firstBytesAt ??= Date.now();
          // A dropped event stream: cut right after its first event has passed.
          if (record.route === '/events' && cutsLeft > 0) {
            cutsLeft--;
            setImmediate(() => outgoing.destroy());
          }
        });
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  server.listen(socketPath);
  await once(server, 'listening');
  return {
    socketPath,
    requests,
    /** Requests by route, e.g. `{ 'POST /containers/create': 3 }`. */
    byRoute(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const { method, route } of requests)
        counts[`${method} ${route}`] = (counts[`${method} ${route}`] ?? 0) + 1;
      return counts;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function routeOf(url: string): string {
  const path = (url.split('?')[0] ?? '').replace(/^\/v\d+(\.\d+)*/, '');
  return path.replace(/^\/containers\/(?!create|json)[^/]+/, '/containers/{id}');
}

function decodeAuth(header: string | string[] | undefined): unknown {
  if (typeof header !== 'string') return null;
  try {
    return JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    return header;
  }
}
