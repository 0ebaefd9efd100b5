import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { isRedisUnavailable } from '../redis/unavailable.ts';
import { sendJson } from './respond.ts';
import type { HttpHandler } from './types.ts';

/** Berth's HTTP server: asks each handler in turn; 404 when none answers. */
export interface WebServer {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, ends open streams (SSE), resolves when closed. */
  close(): Promise<void>;
}

/** A plain node:http server over `handlers`. */
export function createWebServer(options: { handlers: HttpHandler[]; logger: Logger }): WebServer {
  const server = createServer((req, res) => {
    void route(options, req, res);
  });
  return {
    server,
    async listen(port, host) {
      server.listen(port, host);
      await once(server, 'listening');
      return server.address() as AddressInfo;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function route(
  options: { handlers: HttpHandler[]; logger: Logger },
  req: Parameters<HttpHandler>[0],
  res: Parameters<HttpHandler>[1],
): Promise<void> {
  try {
    for (const handler of options.handlers) {
      if (await handler(req, res)) return;
    }
    sendJson(res, 404, { error: `no route for ${req.method} ${(req.url ?? '').split('?')[0]}` });
  } catch (err) {
    if (isRedisUnavailable(err)) {
      // A Redis restart or failover: the client may try again in a moment.
      options.logger.warn({ err: String(err), method: req.method, url: req.url }, 'redis unavailable');
      if (!res.headersSent)
        sendJson(
          res,
          503,
          { error: 'Redis is unavailable for now; try again shortly' },
          { 'retry-after': '2' },
        );
      else res.destroy();
      return;
    }
    options.logger.error({ err, method: req.method, url: req.url }, 'request failed');
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  }
}
