import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../web/respond.ts';

/** GitHub caps webhook payloads at 25 MB; GitLab's are smaller. Larger bodies get 413. */
export const MAX_WEBHOOK_BODY = 25 * 1024 * 1024;

/** How long a webhook body may take to arrive (GitHub itself gives up after 10 s). */
const BODY_DEADLINE_MS = 30_000;

/**
 * The bytes of webhook bodies this process holds while reading them, shared by every
 * forge's ingress: a body is only buffered while there is room, else it gets 503.
 */
export interface BodyBudget {
  /** The most bytes held at once. */
  readonly limit: number;
  /** Bytes held now. */
  readonly held: number;
  /** Holds `bytes` more when they fit under the limit; false (nothing held) when not. */
  take(bytes: number): boolean;
  /** Gives `bytes` back. */
  give(bytes: number): void;
}

/** A budget of `limit` bytes. */
export function createBodyBudget(limit: number): BodyBudget {
  let held = 0;
  return {
    limit,
    get held() {
      return held;
    },
    take(bytes) {
      if (held + bytes > limit) return false;
      held += bytes;
      return true;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
  };
}

/** A body read in full (its bytes stay counted until `release`), or why it was not. */
export type BodyRead =
  | { body: Buffer; release(): void }
  | { status: 408 | 413 | 503; error: string; headers?: Record<string, string> };

/**
 * Reads a webhook body under `budget`, handing each chunk to `onChunk` as it arrives
 * (an incremental HMAC). Refuses before reading a byte when the declared length is over
 * `maxBytes` (413) or does not fit in the budget now (503), and stops reading when the
 * body grows past either while it streams in, or takes longer than 30 s (408: the
 * connection is dropped). The caller answers a refusal; the chunks read so far are let go.
 */
export function readBody(
  req: IncomingMessage,
  o: { budget: BodyBudget; maxBytes?: number; onChunk?: (chunk: Buffer) => void },
): Promise<BodyRead> {
  const maxBytes = o.maxBytes ?? MAX_WEBHOOK_BODY;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) return Promise.resolve(tooLarge(maxBytes));
  if (declared > o.budget.limit - o.budget.held) return Promise.resolve(busy());
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const release = () => {
      o.budget.give(size);
      size = 0;
    };
    const finish = (read: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onClose);
      if (!('body' in read)) {
        release();
        chunks.length = 0;
        req.pause();
      }
      resolve(read);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > maxBytes) return finish(tooLarge(maxBytes));
      if (!o.budget.take(chunk.length)) return finish(busy());
      size += chunk.length;
      chunks.push(chunk);
      o.onChunk?.(chunk);
    };
    const onEnd = () =>
      finish({ body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size), release });
    const onFailure = () => finish({ status: 408, error: 'the body did not arrive' });
    const onClose = () => {
      if (!req.complete) onFailure();
    };
    const timer = setTimeout(() => {
      finish({ status: 408, error: `the body did not arrive within ${BODY_DEADLINE_MS / 1000} s` });
      req.destroy();
    }, BODY_DEADLINE_MS);
    req.on('data', onData).on('end', onEnd).on('error', onFailure).on('close', onClose);
  });
}

const tooLarge = (maxBytes: number): BodyRead => ({
  status: 413,
  error: `body larger than ${maxBytes} bytes`,
});
const busy = (): BodyRead => ({
  status: 503,
  error: 'too many webhook bodies in flight; retry later',
  headers: { 'retry-after': '5' },
});

/**
 * Answers a webhook refused before its body was read in full, closing the connection
 * so that the rest of the body is not read.
 */
export function refuse(
  res: ServerResponse,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): true {
  sendJson(res, status, { error }, { connection: 'close', ...headers });
  return true;
}
