import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type ApiRequestCounter, sleep } from './api.ts';
import { ResumableWatch } from './watch.ts';

/** Receives a step pod's latest state; `null` once the pod is gone. */
export type PodListener = (pod: V1Pod | null) => void;

export interface PodWatchOptions {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  /** Label selector of the build's pods. */
  selector: string;
  idleMs: number;
  connectMs: number;
  logger: Logger;
  count: ApiRequestCounter;
}

/** The build's single label-scoped pod watch, dispatching updates to per-pod listeners. */
export class PodWatch {
  #pods = new Map<string, V1Pod | null>();
  #listeners = new Map<string, Set<PodListener>>();
  #watch: ResumableWatch<V1Pod>;

  constructor(options: PodWatchOptions) {
    const { core, namespace, selector } = options;
    this.#watch = new ResumableWatch<V1Pod>({
      kubeConfig: options.kubeConfig,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      query: { labelSelector: selector },
      idleMs: options.idleMs,
      connectMs: options.connectMs,
      logger: options.logger,
      count: options.count,
      onEvent: (type, pod) => this.#update(pod.metadata?.name, type === 'DELETED' ? null : pod),
      onExpired: async () => {
        options.count('list');
        const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
        const present = new Set<string>();
        for (const pod of list.items) {
          present.add(pod.metadata?.name ?? '');
          this.#update(pod.metadata?.name, pod);
        }
        for (const name of this.#pods.keys()) if (!present.has(name)) this.#update(name, null);
        return list.metadata?.resourceVersion ?? null;
      },
    });
  }

  /** Opens the watch; resolves once it is connected. */
  start(): Promise<void> {
    return this.#watch.start();
  }

  stop(): void {
    this.#watch.stop();
  }

  /** Subscribes to one pod; replays its latest known state at once. Returns the unsubscribe. */
  subscribe(name: string, listener: PodListener): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    set.add(listener);
    this.#listeners.set(name, set);
    if (this.#pods.has(name)) listener(this.#pods.get(name) ?? null);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(name);
    };
  }

  /** Resolves once the watch saw every named pod deleted (or never saw it), or `signal` aborts. */
  async allGone(names: Iterable<string>, signal: AbortSignal): Promise<boolean> {
    const pending = [...names];
    while (!signal.aborted) {
      if (pending.every((name) => (this.#pods.get(name) ?? null) === null)) return true;
      await sleep(20, signal);
    }
    return false;
  }

  #update(name: string | undefined, pod: V1Pod | null): void {
    if (!name) return;
    this.#pods.set(name, pod);
    for (const listener of this.#listeners.get(name) ?? []) listener(pod);
  }
}
