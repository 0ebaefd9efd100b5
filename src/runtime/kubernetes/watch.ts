import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type ApiRequestCounter, backoffMs, httpStatusOf, sleep } from './api.ts';

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
  /**
   * A request whose response has not begun after this long is abandoned and retried
   * (client-node bounds the connect by the long idle timeout only).
   */
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
    let finish: (ending: Ending) => void = () => {};
    const ended = new Promise<Ending>((resolve) => {
      finish = resolve;
    });
    let events = 0;
    let expired = false;
    let abandoned = false;
    const watch = new Watch(this.#options.kubeConfig);
    Reflect.set(watch, 'requestTimeoutMs', this.#options.idleMs);
    const query = {
      ...this.#options.query,
      allowWatchBookmarks: 'true',
      ...(this.#version ? { resourceVersion: this.#version } : {}),
    };
    const onLine = (type: string, object: unknown): void => {
      if (abandoned) return;
      if (type === 'ERROR') {
        expired = httpStatusOf(object) === 410;
        this.#controller?.abort();
        finish(expired ? { kind: 'expired' } : { kind: 'failed', error: object });
        return;
      }
      const version = (object as Watched | undefined)?.metadata?.resourceVersion;
      if (version) this.#version = version;
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
        events++;
        this.#options.onEvent(type, object as T);
      }
    };
    const onDone = (error: unknown): void => {
      if (expired || abandoned) return;
      if (!error) finish({ kind: 'closed' });
      else finish(httpStatusOf(error) === 410 ? { kind: 'expired' } : { kind: 'failed', error });
    };
    this.#options.count('watch');
    this.#options.logger.debug({ path: this.#options.path, version: this.#version }, 'opening watch');
    const request = watch.watch(this.#options.path, query, onLine, onDone);
    const connecting = new AbortController();
    const timeout = sleep(this.#options.connectMs, connecting.signal).then(() => null);
    const answer = await Promise.race([request, timeout]).finally(() => connecting.abort());
    if (answer === null) {
      abandoned = true;
      void request.then(
        (controller) => controller.abort(),
        () => {},
      );
      const error = new Error(`the watch was not answered within ${this.#options.connectMs} ms`);
      return { ending: { kind: 'failed', error }, opened: false, events };
    }
    this.#controller = answer;
    const opened = !this.#controller.signal.aborted;
    this.#options.logger.debug({ path: this.#options.path, opened }, 'watch request answered');
    if (opened) connected();
    if (this.#stopped.signal.aborted) this.#controller.abort();
    return { ending: await ended, opened, events };
  }
}
