import type { CoreV1Api, V1ObjectMeta } from '@kubernetes/client-node';
import { type ApiRequestCounter, httpStatusOf, withSignal } from './api.ts';

/** The kinds of namespace objects a step can name. */
export type ObjectKind = 'secret' | 'configmap' | 'serviceaccount';

/** What Berth reads of a namespace object: its metadata, and a Secret's data (base64). */
export interface ObjectRead {
  metadata: V1ObjectMeta;
  data: Record<string, string>;
}

/** Reads `kind/name`; null when it does not exist, the API error otherwise. */
export type ObjectReader = (kind: ObjectKind, name: string) => Promise<ObjectRead | null>;

/**
 * One build's reads of namespace objects: each object is fetched at most once, so the
 * repository access check and secret redaction share a GET.
 */
export function objectReader(
  core: CoreV1Api,
  namespace: string,
  count: ApiRequestCounter,
  signal: AbortSignal,
): ObjectReader {
  const reads = new Map<string, Promise<ObjectRead | null>>();
  const fetch = async (kind: ObjectKind, name: string): Promise<ObjectRead | null> => {
    const params = { name, namespace };
    const options = withSignal(signal);
    count('get');
    try {
      switch (kind) {
        case 'secret': {
          const secret = await core.readNamespacedSecret(params, options);
          return { metadata: secret.metadata ?? {}, data: secret.data ?? {} };
        }
        case 'configmap':
          return { metadata: (await core.readNamespacedConfigMap(params, options)).metadata ?? {}, data: {} };
        case 'serviceaccount':
          return {
            metadata: (await core.readNamespacedServiceAccount(params, options)).metadata ?? {},
            data: {},
          };
      }
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
  };
  return (kind, name) => {
    const key = `${kind}/${name}`;
    let read = reads.get(key);
    if (!read) {
      read = fetch(kind, name);
      reads.set(key, read);
    }
    return read;
  };
}
