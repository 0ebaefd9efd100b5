// A TCP proxy in front of a Redis server that can lose one reply: the command ran,
// the client never hears back and its connection drops (what a failover does to a
// write in flight). The client reconnects through the proxy and may send it again.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** A running proxy: `port` to connect to; `cutNextReply` arms it. */
export interface ReplyCuttingProxy {
  port: number;
  /** The next reply is dropped and both connections closed. */
  cutNextReply(): void;
  /** Replies dropped so far. */
  cuts(): number;
  close(): Promise<void>;
}

export async function startReplyCuttingProxy(upstreamPort: number): Promise<ReplyCuttingProxy> {
  let armed = false;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (armed) {
        armed = false;
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    cutNextReply: () => {
      armed = true;
    },
    cuts: () => cuts,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
