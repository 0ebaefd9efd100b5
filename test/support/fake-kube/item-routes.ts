import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyPatch, checkPodUpdate } from './patch.ts';
import { readBody } from './request-body.ts';
import type { RouterDeps } from './router-deps.ts';
import { badRequest, StatusError, sendJson } from './status.ts';
import type { ResourceStore } from './store.ts';
import type { KubeObject } from './types.ts';

/** GET, DELETE, PATCH and PUT on one named object. */
export async function item(
  deps: RouterDeps,
  store: ResourceStore,
  method: string,
  namespace: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (method === 'GET') {
    sendJson(res, 200, store.get(namespace, name));
  } else if (method === 'DELETE') {
    remove(deps, store, namespace, name, res, url, await readBody(req));
  } else if (method === 'PATCH' || method === 'PUT') {
    const current = store.get(namespace, name);
    const body = await readBody(req);
    const next =
      method === 'PATCH'
        ? applyPatch(current, req.headers['content-type'] ?? '', body)
        : replacement(current, body);
    sendJson(res, 200, save(store, current, next));
  } else {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
}

function remove(
  deps: RouterDeps,
  store: ResourceStore,
  namespace: string,
  name: string,
  res: ServerResponse,
  url: URL,
  body: KubeObject | undefined,
): void {
  const grace = body?.gracePeriodSeconds ?? url.searchParams.get('gracePeriodSeconds') ?? undefined;
  if (store.resource === 'pods') {
    sendJson(res, 200, deps.podsApi.delete(namespace, name, grace === undefined ? undefined : Number(grace)));
    return;
  }
  store.remove(namespace, name);
  const details = { name, kind: store.resource };
  sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
}

function replacement(current: KubeObject, body: KubeObject | undefined): KubeObject {
  if (!body?.metadata) throw badRequest('the body of the request was in an unknown format');
  const wanted = body.metadata.resourceVersion;
  if (wanted !== undefined && wanted !== current.metadata.resourceVersion) {
    throw new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${current.kind?.toLowerCase()}s "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
  return body;
}

/** Store the new version, keeping identity fields and (for pods) the status and immutable spec. */
function save(store: ResourceStore, current: KubeObject, next: KubeObject): KubeObject {
  if (store.resource === 'pods') checkPodUpdate(current, next);
  const { namespace = '', name = '' } = current.metadata;
  return store.update(namespace, name, (object) => {
    for (const key of Object.keys(object)) delete object[key];
    Object.assign(object, next, {
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: {
        ...next.metadata,
        name,
        namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        ...(current.metadata.deletionTimestamp
          ? { deletionTimestamp: current.metadata.deletionTimestamp }
          : {}),
      },
      ...(store.resource === 'pods' ? { status: current.status } : {}),
    });
  });
}
