import { randomBytes } from 'node:crypto';
import type { Kubelet } from './kubelet.ts';
import { StatusError } from './status.ts';
import type { ResourceStore } from './store.ts';
import type { ContainerJson, KubeObject, PodJson } from './types.ts';

/** Field names a pods fieldSelector may use (as the real API server allows). */
export const POD_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Pod create / delete with the API server's validation, defaults and graceful deletion. */
export class PodsApi {
  private readonly store: ResourceStore;
  private readonly kubelet: Kubelet;

  constructor(store: ResourceStore, kubelet: Kubelet) {
    this.store = store;
    this.kubelet = kubelet;
  }

  /** Validate, default, store (409 when the name is taken) and hand the pod to the kubelet. */
  create(namespace: string, body: KubeObject): KubeObject {
    const pod = body as PodJson;
    pod.metadata = { ...(pod.metadata ?? {}), namespace };
    if (!pod.metadata.name && pod.metadata.generateName) {
      pod.metadata.name = `${pod.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    validate(pod);
    applyDefaults(pod);
    const stored = this.store.create(pod) as PodJson;
    this.kubelet.admit(stored);
    return stored;
  }

  /** Delete a pod: immediate when unscheduled, terminal or grace 0; otherwise deletionTimestamp, kill, DELETED. */
  delete(namespace: string, name: string, requestedGrace: number | undefined): KubeObject {
    const pod = this.store.get(namespace, name) as PodJson;
    let grace = requestedGrace ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!pod.spec.nodeName || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') grace = 0;
    const uid = pod.metadata.uid ?? '';
    if (grace === 0) {
      const removed = this.store.remove(namespace, name);
      void this.kubelet.forget(uid);
      return removed;
    }
    if (pod.metadata.deletionTimestamp) return pod;
    const updated = this.store.update(namespace, name, (object) => {
      object.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      object.metadata.deletionGracePeriodSeconds = grace;
    });
    void this.finishDelete(namespace, name, uid, grace);
    return updated;
  }

  private async finishDelete(namespace: string, name: string, uid: string, grace: number): Promise<void> {
    await this.kubelet.terminate(uid, grace);
    if (this.store.find(namespace, name)?.metadata.uid === uid) this.store.remove(namespace, name);
    await this.kubelet.forget(uid);
  }
}

interface Cause {
  field: string;
  reason: string;
  message: string;
}

function validate(pod: PodJson): void {
  const causes: Cause[] = [];
  const name = pod.metadata.name ?? '';
  if (!name) causes.push(required('metadata.name', 'name or generateName is required'));
  else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) causes.push(invalidName('metadata.name', name));
  const containers = pod.spec?.containers ?? [];
  if (containers.length === 0) causes.push(required('spec.containers'));
  const volumes = new Set((pod.spec?.volumes ?? []).map((volume) => volume.name));
  const seen = new Set<string>();
  const check = (container: ContainerJson, path: string) => {
    if (!container.name) causes.push(required(`${path}.name`));
    else if (!DNS_LABEL.test(container.name) || container.name.length > 63)
      causes.push(invalidName(`${path}.name`, container.name));
    else if (seen.has(container.name)) causes.push(duplicate(`${path}.name`, container.name));
    seen.add(container.name);
    if (!container.image) causes.push(required(`${path}.image`));
    for (const [index, mount] of (container.volumeMounts ?? []).entries()) {
      if (!volumes.has(mount.name))
        causes.push(notFoundCause(`${path}.volumeMounts[${index}].name`, mount.name));
    }
  };
  for (const [index, container] of (pod.spec?.initContainers ?? []).entries()) {
    check(container, `spec.initContainers[${index}]`);
  }
  for (const [index, container] of containers.entries()) check(container, `spec.containers[${index}]`);
  if (causes.length === 0) return;
  const list = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  throw new StatusError(422, 'Invalid', `Pod "${name}" is invalid: ${summary}`, {
    name,
    kind: 'Pod',
    causes,
  });
}

function required(field: string, detail?: string): Cause {
  return {
    field,
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
  };
}

function invalidName(field: string, value: string): Cause {
  const message = `Invalid value: "${value}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
  return { field, reason: 'FieldValueInvalid', message };
}

function duplicate(field: string, value: string): Cause {
  return { field, reason: 'FieldValueDuplicate', message: `Duplicate value: "${value}"` };
}

function notFoundCause(field: string, value: string): Cause {
  return { field, reason: 'FieldValueNotFound', message: `Not found: "${value}"` };
}

function applyDefaults(pod: PodJson): void {
  const spec = pod.spec;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= 'default';
  spec.securityContext ??= {};
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    container.imagePullPolicy ??= /:latest$|^[^:]*$/.test(container.image ?? '') ? 'Always' : 'IfNotPresent';
    container.resources ??= {};
  }
  pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
}
