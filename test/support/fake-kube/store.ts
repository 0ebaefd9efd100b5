import { randomUUID } from 'node:crypto';
import { alreadyExists, notFound } from './status.ts';
import type { KubeObject } from './types.ts';

/** A change to one object, numbered by the global resourceVersion. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  object: KubeObject;
  /** The object before this change (MODIFIED only), for selector transitions. */
  previous?: KubeObject;
}

/** The one resourceVersion counter all resources share, like etcd's revision. */
export interface Revision {
  value: number;
}

/** Objects of one namespaced resource, with a bounded event history for watch replay. */
export class ResourceStore {
  readonly resource: string;
  readonly kind: string;
  /** Field names a fieldSelector may use on this resource. */
  readonly fields: readonly string[];
  /** Events with rv <= compactedRv are no longer in the history. */
  compactedRv = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly revision: Revision;
  private readonly historySize: number;

  constructor(
    resource: string,
    kind: string,
    fields: readonly string[],
    revision: Revision,
    historySize: number,
  ) {
    this.resource = resource;
    this.kind = kind;
    this.fields = fields;
    this.revision = revision;
    this.historySize = historySize;
  }

  /** A copy of one object, or undefined. */
  find(namespace: string, name: string): KubeObject | undefined {
    const object = this.objects.get(key(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  /** A copy of one object, or a 404 StatusError. */
  get(namespace: string, name: string): KubeObject {
    const object = this.find(namespace, name);
    if (!object) throw notFound(this.resource, name);
    return object;
  }

  /** Copies of the objects in a namespace (all namespaces when undefined), in creation order. */
  list(namespace?: string): KubeObject[] {
    return [...this.objects.values()]
      .filter((object) => namespace === undefined || object.metadata.namespace === namespace)
      .map((object) => structuredClone(object));
  }

  /** Store a new object: uid, resourceVersion, creationTimestamp; 409 when the name is taken. */
  create(object: KubeObject): KubeObject {
    const { namespace = '', name = '' } = object.metadata;
    if (this.objects.has(key(namespace, name))) throw alreadyExists(this.resource, name);
    const stored: KubeObject = {
      ...object,
      apiVersion: 'v1',
      kind: this.kind,
      metadata: {
        ...object.metadata,
        uid: randomUUID(),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    return this.commit('ADDED', stored);
  }

  /** Change an object in place through `mutate`; one MODIFIED event. */
  update(namespace: string, name: string, mutate: (object: KubeObject) => void): KubeObject {
    const current = this.objects.get(key(namespace, name));
    if (!current) throw notFound(this.resource, name);
    const next = structuredClone(current);
    mutate(next);
    return this.commit('MODIFIED', next, current);
  }

  /** Remove an object; one DELETED event carrying its final state. */
  remove(namespace: string, name: string): KubeObject {
    const current = this.objects.get(key(namespace, name));
    if (!current) throw notFound(this.resource, name);
    return this.commit('DELETED', structuredClone(current));
  }

  /** Events after `rv` still in the history (the caller checks compactedRv first). */
  since(rv: number): StoreEvent[] {
    return this.history.filter((event) => event.rv > rv);
  }

  /** Drop the whole history: any resume from a resourceVersion before the next list gets 410. */
  expireHistory(): void {
    this.history.length = 0;
    this.compactedRv = ++this.revision.value;
  }

  /** The current global resourceVersion. */
  currentRv(): number {
    return this.revision.value;
  }

  /** Be told about every change; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(type: StoreEvent['type'], object: KubeObject, previous?: KubeObject): KubeObject {
    const rv = ++this.revision.value;
    object.metadata.resourceVersion = String(rv);
    const { namespace = '', name = '' } = object.metadata;
    if (type === 'DELETED') this.objects.delete(key(namespace, name));
    else this.objects.set(key(namespace, name), object);
    const event: StoreEvent = previous ? { type, rv, object, previous } : { type, rv, object };
    this.history.push(event);
    while (this.history.length > this.historySize) {
      this.compactedRv = this.history.shift()?.rv ?? this.compactedRv;
    }
    for (const listener of this.listeners) listener(event);
    return structuredClone(object);
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
