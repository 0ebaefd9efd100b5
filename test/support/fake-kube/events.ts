import { randomBytes } from 'node:crypto';
import type { ResourceStore } from './store.ts';
import type { KubeObject } from './types.ts';

/** Fields an events fieldSelector may use (as the real API server allows). */
export const EVENT_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'type',
] as const;

/** Who emits an event: the scheduler or the kubelet. */
export type EventSource = 'default-scheduler' | 'kubelet';

/** Writes core/v1 Events about pods; a repeat of the same event bumps `count` like the kubelet does. */
export class EventRecorder {
  private readonly store: ResourceStore;
  private readonly seen = new Map<string, string>();

  constructor(store: ResourceStore) {
    this.store = store;
  }

  /** Record one event about a pod (optionally about one of its containers). */
  record(
    pod: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    options: { container?: string; init?: boolean; source?: EventSource } = {},
  ): void {
    const namespace = pod.metadata.namespace ?? 'default';
    const fieldPath = options.container
      ? `spec.${options.init ? 'initContainers' : 'containers'}{${options.container}}`
      : undefined;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const dedupe = `${pod.metadata.uid}|${reason}|${message}|${fieldPath ?? ''}`;
    const existing = this.seen.get(dedupe);
    if (existing && this.store.find(namespace, existing)) {
      this.store.update(namespace, existing, (event) => {
        event.count = Number(event.count ?? 1) + 1;
        event.lastTimestamp = now;
      });
      return;
    }
    const name = `${pod.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.seen.set(dedupe, name);
    const component = options.source ?? 'kubelet';
    this.store.create({
      metadata: { name, namespace },
      involvedObject: {
        kind: 'Pod',
        namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pod.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: component === 'kubelet' ? { component, host: 'fake-node' } : { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? 'fake-node' : '',
    });
  }
}
