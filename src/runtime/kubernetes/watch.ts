import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type ApiRequestCounter, backoffMs, httpStatusOf, sleep } from './api.ts';
import { openWatch } from './watch-request.ts';

/** A watched object: only its resourceVersion matters here. */
interface Watched {
  metadata?: { resourceVersion?: string };
}

export interface ResumableWatchOptions<T extends Watched> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. `/api/v1/namespaces/ci/pods`. */
  path: string;
  /** Selectors (label / field) of the collection. */
  query: Record<string, string>;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void;
  /** On 410 Gone: re-list and return the version to resume from, or null to start fresh. */
  onExpired(): Promise<string | null>;
  /** A connection silent this long is presumed stalled and reopened from the last version. */
  idleMs: number;
  /** A request whose response has not begun after this long is abandoned and retried. */
  connectMs: number;
  logger: Logger;
  /** Counts each watch connection (and nothing else). */
  count: ApiRequestCounter;
}

/** A clean close sooner than this, with no event, counts as a failed attempt (backoff). */
const QUICK_CLOSE_MS = 1000;

type Ending = { kind: 'closed' } | { kind: 'expired' } | { kind: 'failed'; error: unknown };

/**
 * One long-lived watch that never gives up: resumes from the last resourceVersion after a
 * drop or a stall, re-lists on 410, and restarts with backoff on any other error
 * (unlike client-node's informer, which stops on non-410 errors).
 */
export class ResumableWatch<T extends Watched> {
  #options: ResumableWatchOptions<T>;
  #version: string | undefined;
  #controller: AbortController | null = null;
  #stopped = new AbortController();

  constructor(options: ResumableWatchOptions<T>) {
    this.#options = options;
  }

  /** Starts watching; resolves once the first connection is open (or the watch was stopped). */
  start(): Promise<void> {
    return new Promise((connected) => {
      this.#loop(connected).catch((error: unknown) =>
        this.#options.logger.error({ err: error }, 'kubernetes watch loop failed'),
      );
    });
  }

  /** Closes the connection for good. */
  stop(): void {
    this.#stopped.abort();
    this.#controller?.abort();
  }

  async #loop(connected: () => void): Promise<void> {
    let attempt = 0;
    while (!this.#stopped.signal.aborted) {
      const began = Date.now();
      const { ending, events } = await this.#once(connected).catch((error: unknown) => ({
        ending: { kind: 'failed', error } as const,
        events: 0,
      }));
      if (this.#stopped.signal.aborted) break;
      if (events > 0) attempt = 0;
      if (ending.kind === 'expired') {
        this.#version = (await this.#relist()) ?? undefined;
        continue;
      }
      if (ending.kind === 'failed') {
        this.#options.logger.warn({ err: ending.error, path: this.#options.path }, 'kubernetes watch failed');
        await sleep(backoffMs(attempt++), this.#stopped.signal);
      } else if (events === 0 && Date.now() - began < QUICK_CLOSE_MS) {
        // A server closing every watch at once must not be answered by a tight loop.
        await sleep(backoffMs(attempt++), this.#stopped.signal);
      }
    }
    connected();
  }

  async #relist(): Promise<string | null> {
    for (let attempt = 0; !this.#stopped.signal.aborted; attempt++) {
      try {
        return await this.#options.onExpired();
      } catch (error) {
        this.#options.logger.warn({ err: error, path: this.#options.path }, 'kubernetes re-list failed');
        await sleep(backoffMs(attempt), this.#stopped.signal);
      }
    }
    return null;
  }

  async #once(connected: () => void): Promise<{ ending: Ending; opened: boolean; events: number }> {
    let events = 0;
    let ending: Ending | null = null;
    const connection = new AbortController();
    this.#controller = connection;
    if (this.#stopped.signal.aborted) connection.abort();
    const query = {
      ...this.#options.query,
      allowWatchBookmarks: 'true',
      ...(this.#version ? { resourceVersion: this.#version } : {}),
    };
    const onLine = (type: string, object: unknown): void => {
      if (ending) return;
      if (type === 'ERROR') {
        ending = httpStatusOf(object) === 410 ? { kind: 'expired' } : { kind: 'failed', error: object };
        connection.abort();
        return;
      }
      const version = (object as Watched | undefined)?.metadata?.resourceVersion;
      if (version) this.#version = version;
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
        events++;
        this.#options.onEvent(type, object as T);
      }
    };
    this.#options.count('watch');
    this.#options.logger.debug({ path: this.#options.path, version: this.#version }, 'opening watch');
    let open: { ended: Promise<Error | null> };
    try {
      open = await openWatch({
        kubeConfig: this.#options.kubeConfig,
        path: this.#options.path,
        query,
        connectMs: this.#options.connectMs,
        idleMs: this.#options.idleMs,
        signal: connection.signal,
        onLine,
      });
    } catch (error) {
      const status = httpStatusOf(error);
      return {
        ending: status === 410 ? { kind: 'expired' } : { kind: 'failed', error },
        opened: false,
        events,
      };
    }
    this.#options.logger.debug({ path: this.#options.path }, 'watch request answered');
    connected();
    const error = await open.ended;
    return {
      ending: ending ?? (error ? { kind: 'failed', error } : { kind: 'closed' }),
      opened: true,
      events,
    };
  }
}
