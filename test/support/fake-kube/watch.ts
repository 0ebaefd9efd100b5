import type { ServerResponse } from 'node:http';
import type { Selector } from './selectors.ts';
import { expired, failureStatus } from './status.ts';
import type { ResourceStore, StoreEvent } from './store.ts';
import type { KubeObject } from './types.ts';

/** What a watch request asked for. */
export interface WatchRequest {
  namespace: string | undefined;
  matches: Selector;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
}

interface OpenWatch {
  store: ResourceStore;
  res: ServerResponse;
  allowBookmarks: boolean;
  stalledUntil: number;
  held: string[];
  /** Timers that die with the watch (timeout, bookmarks, end of a stall). */
  timers: NodeJS.Timeout[];
  close(): void;
}

/** Serves chunked watch streams for every resource and applies the watch fault hooks. */
export class WatchHub {
  private readonly open = new Set<OpenWatch>();
  private readonly bookmarkMs: number;

  constructor(bookmarkMs: number) {
    this.bookmarkMs = bookmarkMs;
  }

  /** Start a watch; throws a 410 StatusError (before any header) when the resourceVersion is too old. */
  serve(store: ResourceStore, request: WatchRequest, res: ServerResponse): void {
    const replay = this.replayFor(store, request);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const watch = this.register(store, request, res);
    for (const event of replay) this.deliver(watch, request, event);
  }

  private replayFor(store: ResourceStore, request: WatchRequest): StoreEvent[] {
    const requested = request.resourceVersion;
    if (!requested || requested === '0') {
      return store
        .list(request.namespace)
        .map((object) => ({ type: 'ADDED', rv: Number(object.metadata.resourceVersion), object }));
    }
    const rv = Number(requested);
    if (!Number.isInteger(rv) || rv < 0) throw expired(0, store.compactedRv);
    if (rv < store.compactedRv) throw expired(rv, store.compactedRv);
    return store.since(rv).filter((event) => inNamespace(event.object, request.namespace));
  }

  private register(store: ResourceStore, request: WatchRequest, res: ServerResponse): OpenWatch {
    const watch: OpenWatch = {
      store,
      res,
      allowBookmarks: request.allowBookmarks,
      stalledUntil: 0,
      held: [],
      timers: [],
      close: () => {
        unsubscribe();
        for (const timer of watch.timers) clearTimeout(timer);
        this.open.delete(watch);
      },
    };
    const unsubscribe = store.subscribe((event) => {
      if (inNamespace(event.object, request.namespace)) this.deliver(watch, request, event);
    });
    if (request.timeoutSeconds !== undefined) {
      watch.timers.push(setTimeout(() => this.end(watch), request.timeoutSeconds * 1000));
    }
    if (request.allowBookmarks) {
      watch.timers.push(setInterval(() => this.sendBookmark(watch), this.bookmarkMs));
    }
    res.on('close', () => watch.close());
    this.open.add(watch);
    return watch;
  }

  private deliver(watch: OpenWatch, request: WatchRequest, event: StoreEvent): void {
    const type = transition(event, request.matches);
    if (type) this.write(watch, `${JSON.stringify({ type, object: event.object })}\n`);
  }

  private write(watch: OpenWatch, line: string): void {
    if (watch.res.destroyed || watch.res.writableEnded) return;
    if (Date.now() < watch.stalledUntil) watch.held.push(line);
    else watch.res.write(line);
  }

  private sendBookmark(watch: OpenWatch): void {
    const object: KubeObject = {
      kind: watch.store.kind,
      apiVersion: 'v1',
      metadata: { resourceVersion: String(watch.store.currentRv()) },
    };
    this.write(watch, `${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
  }

  private end(watch: OpenWatch): void {
    watch.close();
    if (!watch.res.writableEnded) watch.res.end();
  }

  /** Destroy every open watch socket mid-stream. */
  drop(): void {
    for (const watch of [...this.open]) {
      watch.close();
      watch.res.socket?.destroy();
      watch.res.destroy();
    }
  }

  /** Hold back everything for `ms`, then deliver it in order; the returned function ends the stall early. */
  stall(ms: number): () => void {
    const until = Date.now() + ms;
    const releases: Array<() => void> = [];
    for (const watch of this.open) {
      watch.stalledUntil = until;
      const release = () => {
        watch.stalledUntil = 0;
        const lines = watch.held.splice(0);
        if (!watch.res.destroyed && !watch.res.writableEnded) for (const line of lines) watch.res.write(line);
      };
      releases.push(release);
      watch.timers.push(setTimeout(release, ms));
    }
    return () => {
      for (const release of releases) release();
    };
  }

  /** One line of broken JSON on every open watch. */
  malformed(): void {
    for (const watch of this.open) this.write(watch, '{"type":"MODIFIED","object":{"kind":\n');
  }

  /** An ERROR event with a 410 Expired v1.Status on every open watch, then a clean end. */
  gone(): void {
    for (const watch of [...this.open]) {
      const rv = watch.store.currentRv();
      const status = failureStatus(410, 'Expired', `too old resource version: ${rv - 1} (${rv})`);
      this.write(watch, `${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      this.end(watch);
    }
  }

  /** A BOOKMARK now on every open watch that allows them. */
  bookmarkNow(): void {
    for (const watch of this.open) if (watch.allowBookmarks) this.sendBookmark(watch);
  }

  /** How many watches are open (for tests). */
  openCount(): number {
    return this.open.size;
  }

  /** End every open watch (server shutdown). */
  closeAll(): void {
    for (const watch of [...this.open]) this.end(watch);
  }
}

function inNamespace(object: KubeObject, namespace: string | undefined): boolean {
  return namespace === undefined || object.metadata.namespace === namespace;
}

/** The event type a selector-filtered watcher sees, as the API server computes it. */
function transition(event: StoreEvent, matches: Selector): StoreEvent['type'] | undefined {
  const now = matches(event.object);
  if (event.type !== 'MODIFIED') return now ? event.type : undefined;
  const before = event.previous ? matches(event.previous) : false;
  if (before && now) return 'MODIFIED';
  if (now) return 'ADDED';
  return before ? 'DELETED' : undefined;
}
