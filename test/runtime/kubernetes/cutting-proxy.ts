import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';

/**
 * A real HTTP proxy in front of the fake API server that cuts the first `cuts` follow-log
 * responses after `afterBytes` bytes (a network drop mid-stream); everything else,
 * exec upgrades included, passes through unchanged.
 */
export async function startCuttingProxy(
  target: string,
  options: { cuts: number; afterBytes: number },
): Promise<{ url: string; cutsLeft(): number; close(): Promise<void> }> {
  const upstream = new URL(target);
  let cutsLeft = options.cuts;
  const server = http.createServer((req, res) => {
    const cut = /\/log\?/.test(req.url ?? '') && /follow=true/.test(req.url ?? '') && cutsLeft > 0;
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!cut || answer.statusCode !== 200) return void answer.pipe(res);
        cutsLeft--;
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent + chunk.length >= options.afterBytes) {
            res.write(chunk.subarray(0, options.afterBytes - sent));
            answer.destroy();
            res.socket?.destroy();
            return;
          }
          sent += chunk.length;
          res.write(chunk);
        });
        answer.on('end', () => res.end());
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('upgrade', (req, socket, head) => {
    const remote = net.connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      remote.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) remote.write(head);
      remote.pipe(socket);
      socket.pipe(remote);
    });
    remote.on('error', () => socket.destroy());
    socket.on('error', () => remote.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    cutsLeft: () => cutsLeft,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
