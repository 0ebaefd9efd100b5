// The yardstick of the ingress bench: a bare Probot app (its own Node middleware, one
// no-op `push` handler) on a plain node:http server, as Probot's docs set one up.
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import pino from 'pino';
import { createNodeMiddleware, Probot } from 'probot';

/** A listening bare Probot app; `url` is its webhook endpoint. */
export async function startBareProbot(secret: string): Promise<{ url: string; stop(): Promise<void> }> {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const probot = new Probot({ appId: 1, privateKey, secret, log: pino({ level: 'silent' }) });
  const middleware = await createNodeMiddleware(
    (app: Probot) => {
      app.on('push', async () => {});
    },
    { probot, webhooksPath: '/api/github/webhooks' },
  );
  const server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
