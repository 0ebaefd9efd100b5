// A client that sends a request body in pieces and stops as soon as the server answers:
// shows whether a server answered before it had the whole body.
import { request } from 'node:http';

/** The answer, and how many body bytes had been sent when it came (null: no answer in time). */
export interface SlowAnswer {
  status: number | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body bytes written before the answer arrived. */
  sent: number;
}

/**
 * POSTs `body` to `url` in `piece`-byte writes, pausing `pauseMs` between them, and
 * stops writing once the answer's headers arrive. With `hold`, stops after that many
 * bytes and waits for the answer (or `release`) without sending the rest.
 */
export function slowPost(
  url: string,
  o: {
    headers: Record<string, string>;
    body: Buffer;
    piece?: number;
    pauseMs?: number;
    hold?: number;
    /** Resolving it sends the rest of a held body. */
    release?: Promise<void>;
    timeoutMs?: number;
  },
): Promise<SlowAnswer> {
  const piece = o.piece ?? 64 * 1024;
  const stopAt = Math.floor(o.hold ?? o.body.length);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: o.headers });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: null, headers: {}, body: '', sent });
    }, o.timeoutMs ?? 10_000);
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const status = res.statusCode ?? 0;
      const sentBefore = sent;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString(), sent: sentBefore });
      };
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (error) => {
      if (!answered) {
        clearTimeout(timer);
        reject(error);
      }
    });
    req.flushHeaders();
    const write = async (until: number) => {
      while (!answered && sent < until) {
        const next = o.body.subarray(sent, Math.min(sent + piece, until));
        sent += next.length;
        if (!req.write(next)) await new Promise((r) => req.once('drain', r));
        if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
      }
    };
    void (async () => {
      await write(stopAt);
      if (stopAt < o.body.length) {
        if (!o.release) return;
        await o.release;
        await write(o.body.length);
      }
      if (!answered) req.end();
    })().catch(() => {});
  });
}
