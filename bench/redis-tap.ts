// A TCP proxy in front of a redis-server that records each command clients send (time,
// connection, name, arguments), reading their RESP requests: no MONITOR (which slows Redis
// down), and what a Lua script runs inside Redis is not seen. Every command is counted,
// pipelined ones too, so a count is an upper bound on round trips.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/** One command a client sent. */
export interface TappedCommand {
  at: number;
  /** Which client connection (1, 2, …) sent it. */
  conn: number;
  name: string;
  /** Up to the first 40 arguments after the name, each cut to 200 characters. */
  args: string[];
}

export interface RedisTap {
  url: string;
  commands: TappedCommand[];
  close(): Promise<void>;
}

/** Starts the proxy on a free loopback port in front of `port`. */
export async function startRedisTap(port: number): Promise<RedisTap> {
  const commands: TappedCommand[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const conn = ++connections;
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = parseRequest(pending);
        if (!parsed) break;
        pending = pending.subarray(parsed.used);
        const [name = '', ...rest] = parsed.parts;
        commands.push({
          at: performance.now(),
          conn,
          name: name.toLowerCase(),
          args: rest.slice(0, 40).map((a) => a.slice(0, 200)),
        });
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    commands,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** One RESP request (an array of bulk strings) at the start of `buf`, or null when incomplete. */
function parseRequest(buf: Buffer): { parts: string[]; used: number } | null {
  if (buf.length === 0) return null;
  if (buf[0] !== 0x2a) {
    // Inline command: one line.
    const nl = buf.indexOf('\r\n');
    return nl < 0 ? null : { parts: buf.subarray(0, nl).toString().split(' '), used: nl + 2 };
  }
  let at = buf.indexOf('\r\n');
  if (at < 0) return null;
  const count = Number(buf.subarray(1, at).toString());
  at += 2;
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const nl = buf.indexOf('\r\n', at);
    if (nl < 0) return null;
    const len = Number(buf.subarray(at + 1, nl).toString());
    const start = nl + 2;
    if (buf.length < start + len + 2) return null;
    parts.push(buf.subarray(start, start + len).toString());
    at = start + len + 2;
  }
  return { parts, used: at };
}

/** The SHA1 of a script, as EVALSHA names it. */
export const scriptSha = (script: string): string => createHash('sha1').update(script).digest('hex');
