// Serves the web module's handlers in front of a running Berth (startApp's server): what
// `berth serve` does once the pages are wired into its handler list. Unanswered requests
// are passed through to Berth unchanged (responses streamed, so SSE works).
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '../../src/web/types.ts';

/** Starts the front server on a free local port. */
export async function serveInFront(
  handlers: HttpHandler[],
  backend: string,
): Promise<{ url: string; server: Server }> {
  const target = new URL(backend);
  const server = createServer(async (req, res) => {
    for (const handle of handlers) if (await handle(req, res)) return;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
