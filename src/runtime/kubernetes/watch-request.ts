import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { readText, streamGet } from './kube-http.ts';

export interface WatchRequestOptions {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. `/api/v1/namespaces/ci/pods`. */
  path: string;
  /** Selectors and resourceVersion; `watch=true` is added. */
  query: Record<string, string>;
  /** The response must begin within this long, else the request is abandoned. */
  connectMs: number;
  /** Once open, a connection silent this long is closed as stalled. */
  idleMs: number;
  /** Closes the connection (a clean close, not a failure). */
  signal: AbortSignal;
  /** One parsed line: `{type, object}` of the watch protocol. Malformed lines are skipped. */
  onLine(type: string, object: unknown): void;
}

/** An HTTP error answer of the API server; `statusCode` as client-node's Watch sets it. */
export class WatchStatusError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, body: string) {
    super(`watch answered ${statusCode}: ${body.slice(0, 500)}`);
    this.statusCode = statusCode;
    this.name = 'WatchStatusError';
  }
}

/**
 * One watch connection, made by Berth itself so that both of its timeouts are its own:
 * the connect timeout (client-node's Watch has none short of its idle timeout) and
 * the idle timeout (client-node's is a private 30 s, shorter than the servers' bookmark
 * interval). Resolves once the server answered 200 with `ended`, which settles with
 * null on a clean close (or `signal`) and with the error otherwise; rejects when no
 * answer came in time or the answer was not 200.
 */
export async function openWatch(o: WatchRequestOptions): Promise<{ ended: Promise<Error | null> }> {
  const request = new AbortController();
  const stop = () => request.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  const unanswered = setTimeout(() => request.abort(new ConnectTimeout(o.connectMs)), o.connectMs);
  let response: IncomingMessage;
  try {
    response = await streamGet(o.kubeConfig, o.path, { ...o.query, watch: 'true' }, request.signal);
  } catch (error) {
    o.signal.removeEventListener('abort', stop);
    throw request.signal.reason instanceof ConnectTimeout ? request.signal.reason : error;
  } finally {
    clearTimeout(unanswered);
  }
  if (response.statusCode !== 200) {
    o.signal.removeEventListener('abort', stop);
    const body = await readText(response).catch(() => '');
    throw new WatchStatusError(response.statusCode ?? 0, body);
  }
  return { ended: follow(response, o, request, stop) };
}

function follow(
  response: IncomingMessage,
  o: WatchRequestOptions,
  request: AbortController,
  stop: () => void,
): Promise<Error | null> {
  return new Promise((resolve) => {
    let stalled: Error | null = null;
    let idle: NodeJS.Timeout | undefined;
    let done = false;
    const resetIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = new Error(`the watch was silent for ${o.idleMs} ms`);
        request.abort(stalled);
      }, o.idleMs);
    };
    const end = (error: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      o.signal.removeEventListener('abort', stop);
      response.destroy();
      resolve(stalled ?? (o.signal.aborted ? null : error));
    };
    resetIdle();
    response.on('data', resetIdle);
    response.on('error', (error) => end(error));
    response.on('close', () => end(response.complete ? null : new Error('the watch connection was cut')));
    const lines = createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      let parsed: { type?: unknown; object?: unknown };
      try {
        parsed = JSON.parse(line) as { type?: unknown; object?: unknown };
      } catch {
        return;
      }
      if (typeof parsed?.type === 'string') o.onLine(parsed.type, parsed.object);
    });
    lines.on('error', (error) => end(error));
    lines.on('close', () => end(null));
  });
}

class ConnectTimeout extends Error {
  constructor(ms: number) {
    super(`the watch was not answered within ${ms} ms`);
    this.name = 'ConnectTimeout';
  }
}
