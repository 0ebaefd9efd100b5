import type { ResourceStore } from './store.ts';
import type { ContainerJson, KubeObject, PodJson } from './types.ts';

/** The kubelet's `$(VAR)` expansion: defined vars are replaced, `$$` becomes `$`, the rest is kept. */
export function expand(input: string, env: ReadonlyMap<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    if (rest[0] === '$') {
      out += '$';
      cursor += 1;
    } else if (rest[0] === '(' && rest.indexOf(')') > 0) {
      const name = rest.slice(1, rest.indexOf(')'));
      out += env.get(name) ?? `$(${name})`;
      cursor += rest.indexOf(')') + 1;
    } else {
      out += `$${rest[0]}`;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** Why a container's configuration cannot be built (the kubelet's CreateContainerConfigError message). */
export class ConfigError extends Error {}

/** Where the kubelet looks up secretKeyRef / configMapKeyRef / envFrom. */
export interface ConfigSources {
  secrets: ResourceStore;
  configMaps: ResourceStore;
}

/** The container's environment in kubelet order: envFrom, then env (values expanded against earlier vars). */
export function resolveEnv(
  pod: PodJson,
  container: ContainerJson,
  sources: ConfigSources,
): Map<string, string> {
  const env = new Map<string, string>();
  const namespace = pod.metadata.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const data = readData(
      sources,
      namespace,
      from.secretRef ? 'secret' : 'configmap',
      ref.name,
      ref.optional,
    );
    for (const [name, value] of Object.entries(data ?? {})) env.set(`${from.prefix ?? ''}${name}`, value);
  }
  for (const variable of container.env ?? []) {
    const value = resolveValue(pod, variable, namespace, sources, env);
    if (value !== undefined) env.set(variable.name, value);
  }
  return env;
}

function resolveValue(
  pod: PodJson,
  variable: NonNullable<ContainerJson['env']>[number],
  namespace: string,
  sources: ConfigSources,
  env: Map<string, string>,
): string | undefined {
  const from = variable.valueFrom;
  if (!from) return expand(variable.value ?? '', env);
  const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
  if (keyRef) {
    const kind = from.secretKeyRef ? 'secret' : 'configmap';
    const data = readData(sources, namespace, kind, keyRef.name, keyRef.optional);
    if (data === undefined) return undefined;
    const value = data[keyRef.key];
    if (value !== undefined || keyRef.optional) return value;
    const label = kind === 'secret' ? 'Secret' : 'ConfigMap';
    throw new ConfigError(`couldn't find key ${keyRef.key} in ${label} ${namespace}/${keyRef.name}`);
  }
  if (from.fieldRef) return fieldRef(pod, from.fieldRef.fieldPath);
  return undefined;
}

function readData(
  sources: ConfigSources,
  namespace: string,
  kind: 'secret' | 'configmap',
  name: string,
  optional: boolean | undefined,
): Record<string, string> | undefined {
  const store = kind === 'secret' ? sources.secrets : sources.configMaps;
  const object = store.find(namespace, name);
  if (!object) {
    if (optional) return undefined;
    throw new ConfigError(`${kind} "${name}" not found`);
  }
  return objectData(object);
}

/** A secret's or config map's data as plain strings (secret values are base64 in `data`). */
export function objectData(object: KubeObject): Record<string, string> {
  const data: Record<string, string> = {};
  const raw = (object.data ?? {}) as Record<string, string>;
  const decode = object.kind === 'Secret';
  for (const [key, value] of Object.entries(raw)) {
    data[key] = decode ? Buffer.from(value, 'base64').toString('utf8') : value;
  }
  for (const [key, value] of Object.entries((object.stringData ?? {}) as Record<string, string>)) {
    data[key] = value;
  }
  return data;
}

function fieldRef(pod: PodJson, path: string): string {
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata[label[1] as 'labels']?.[label[2] ?? ''] ?? '';
  const values: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName as string | undefined,
    'status.podIP': pod.status.podIP,
    'status.hostIP': pod.status.hostIP,
  };
  return values[path] ?? '';
}
