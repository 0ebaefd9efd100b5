import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { StepOutput } from '../../logs/types.ts';
import type { ApiRequestCounter } from './api.ts';
import { ResumableWatch } from './watch.ts';

export interface WarningEventsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  idleMs: number;
  connectMs: number;
  logger: Logger;
  count: ApiRequestCounter;
}

/**
 * Copies Warning events (FailedScheduling, FailedMount, Failed, BackOff, …) of the build's
 * pods into their step logs. Events carry no pod labels, so this is one field-selected
 * watch per build, opened lazily: only once a step looks stuck, so a healthy build makes
 * no event request at all, and a troubled one makes one more request in total.
 */
export class WarningEvents {
  #options: WarningEventsOptions;
  #outputs = new Map<string, StepOutput>();
  #seen = new Set<string>();
  #watch: ResumableWatch<CoreV1Event> | null = null;

  constructor(options: WarningEventsOptions) {
    this.#options = options;
  }

  /** Routes a pod's events to its step log until the returned function is called. */
  register(pod: string, output: StepOutput): () => void {
    this.#outputs.set(pod, output);
    return () => this.#outputs.delete(pod);
  }

  /** Opens the watch if it is not open yet. */
  ensureStarted(): void {
    if (this.#watch) return;
    this.#watch = new ResumableWatch<CoreV1Event>({
      kubeConfig: this.#options.kubeConfig,
      path: `/api/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/events`,
      query: { fieldSelector: 'involvedObject.kind=Pod,type=Warning' },
      idleMs: this.#options.idleMs,
      connectMs: this.#options.connectMs,
      logger: this.#options.logger,
      count: this.#options.count,
      onEvent: (type, event) => {
        if (type !== 'DELETED') this.#deliver(event);
      },
      onExpired: async () => null,
    });
    void this.#watch.start();
  }

  stop(): void {
    this.#watch?.stop();
  }

  #deliver(event: CoreV1Event): void {
    if (event.type !== 'Warning') return;
    const output = this.#outputs.get(event.involvedObject.name ?? '');
    if (!output) return;
    const key = `${event.metadata.uid ?? event.metadata.name}:${event.count ?? event.series?.count ?? 1}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const at = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
    const time = at ? new Date(at).getTime() : Date.now();
    output.line('system', `Warning ${event.reason ?? 'Event'}: ${event.message ?? ''}`.trim(), time);
  }
}
