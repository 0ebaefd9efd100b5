import type { Kubelet } from './kubelet.ts';
import type { PodsApi } from './pods-api.ts';
import type { ResourceStore } from './store.ts';
import type { RequestLogEntry } from './types.ts';
import type { WatchHub } from './watch.ts';

/** Everything the HTTP routes reach. */
export interface RouterDeps {
  stores: ReadonlyMap<string, ResourceStore>;
  podsApi: PodsApi;
  kubelet: Kubelet;
  watches: WatchHub;
  namespaces: ReadonlySet<string>;
  requests: RequestLogEntry[];
  /** Remaining injected log failures. */
  logErrors: { remaining: number };
  /** Remaining injected watch failures (HTTP 500 before the stream starts). */
  watchErrors: { remaining: number };
  /** Remaining watch requests left unanswered (no status line, no headers). */
  unansweredWatches: { remaining: number };
}
