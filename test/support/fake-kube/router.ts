import type { IncomingMessage, ServerResponse } from 'node:http';
import { item } from './item-routes.ts';
import { serveLog } from './logs-api.ts';
import { readBody } from './request-body.ts';
import type { RouterDeps } from './router-deps.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest, failureStatus, notFound, StatusError, sendJson } from './status.ts';
import type { ResourceStore } from './store.ts';
import type { KubeObject, RequestLogEntry } from './types.ts';

/** A parsed API path. */
export interface Route {
  namespace?: string;
  resource: string;
  name?: string;
  sub?: string;
}

/** Split `/api/v1/...` into namespace, resource, name and subresource. */
export function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'v1') return undefined;
  const rest = parts.slice(2);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, resource = '', name, sub] = rest;
    return {
      resource,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(sub ? { sub } : {}),
    };
  }
  const [resource, name] = rest;
  return resource ? { resource, ...(name ? { name } : {}) } : undefined;
}

/** Handle one HTTP request like the API server; every request lands in the request log. */
export async function route(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const parsed = parseRoute(url.pathname);
  const entry: RequestLogEntry = {
    verb: verbOf(req.method ?? 'GET', parsed, url),
    resource: parsed?.resource ?? url.pathname,
    path: `${url.pathname}${url.search}`,
    status: 0,
    at: Date.now(),
    ...(parsed?.name && parsed.resource !== 'namespaces' ? { name: parsed.name } : {}),
    ...(parsed?.namespace ? { namespace: parsed.namespace } : {}),
  };
  deps.requests.push(entry);
  const record = () => {
    entry.status = res.statusCode;
  };
  res.on('close', record);
  try {
    if (url.pathname === '/version')
      return sendJson(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' });
    if (!parsed) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    await dispatch(deps, parsed, req, res, url);
  } catch (error) {
    const status =
      error instanceof StatusError ? error : new StatusError(500, 'InternalError', String(error));
    if (!res.headersSent) sendJson(res, status.code, status.body());
    else res.destroy();
  } finally {
    record();
  }
}

function verbOf(method: string, route: Route | undefined, url: URL): RequestLogEntry['verb'] {
  if (route?.sub === 'log') return 'log';
  if (route?.sub === 'exec') return 'exec';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return route?.name ? 'delete' : 'deletecollection';
  if (route?.name && route.resource !== 'namespaces') return 'get';
  return url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list';
}

async function dispatch(deps: RouterDeps, route: Route, req: IncomingMessage, res: ServerResponse, url: URL) {
  if (route.resource === 'namespaces') return namespaces(deps, route, res);
  const store = deps.stores.get(route.resource);
  if (!store) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const namespace = route.namespace;
  if (namespace !== undefined && !deps.namespaces.has(namespace) && req.method === 'POST') {
    throw notFound('namespaces', namespace);
  }
  if (route.sub === 'log' && route.name && namespace) return logs(deps, namespace, route.name, url, res);
  if (route.sub === 'status' && route.name && namespace && req.method === 'GET') {
    sendJson(res, 200, store.get(namespace, route.name));
    return;
  }
  if (route.sub) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const method = req.method ?? 'GET';
  if (route.name && namespace) return item(deps, store, method, namespace, route.name, req, res, url);
  if (method === 'GET') return collection(deps, store, namespace, res, url);
  if (method === 'POST' && namespace)
    return sendJson(res, 201, create(deps, store, namespace, await readBody(req)));
  if (method === 'DELETE' && namespace) return deleteCollection(deps, store, namespace, res, url);
  throw new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource`,
  );
}

function namespaces(deps: RouterDeps, route: Route, res: ServerResponse): void {
  const toObject = (name: string) => ({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
  if (route.name) {
    if (!deps.namespaces.has(route.name)) throw notFound('namespaces', route.name);
    sendJson(res, 200, toObject(route.name));
    return;
  }
  sendJson(res, 200, {
    kind: 'NamespaceList',
    apiVersion: 'v1',
    metadata: {},
    items: [...deps.namespaces].map(toObject),
  });
}

function logs(deps: RouterDeps, namespace: string, name: string, url: URL, res: ServerResponse): void {
  if (deps.logErrors.remaining > 0) {
    deps.logErrors.remaining--;
    sendJson(res, 500, failureStatus(500, 'InternalError', 'Internal error occurred: injected log failure'));
    return;
  }
  const store = deps.stores.get('pods');
  if (store) serveLog(store, deps.kubelet, namespace, name, url, res);
}

function collection(
  deps: RouterDeps,
  store: ResourceStore,
  namespace: string | undefined,
  res: ServerResponse,
  url: URL,
) {
  const params = url.searchParams;
  const labels = parseLabelSelector(params.get('labelSelector'));
  const fields = parseFieldSelector(params.get('fieldSelector'), store.fields);
  const matches = (object: KubeObject) => labels(object) && fields(object);
  if (params.get('watch') === 'true' || params.get('watch') === '1') {
    // Held until the client gives up (or the fake closes): a request that was accepted but never answered.
    if (deps.unansweredWatches.remaining > 0) {
      deps.unansweredWatches.remaining--;
      return;
    }
    if (deps.watchErrors.remaining > 0) {
      deps.watchErrors.remaining--;
      sendJson(
        res,
        500,
        failureStatus(500, 'InternalError', 'Internal error occurred: injected watch failure'),
      );
      return;
    }
    const timeout = params.get('timeoutSeconds');
    return deps.watches.serve(
      store,
      {
        namespace,
        matches,
        resourceVersion: params.get('resourceVersion'),
        allowBookmarks: params.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: timeout ? Number(timeout) : undefined,
      },
      res,
    );
  }
  const items = store
    .list(namespace)
    .filter(matches)
    .map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  sendJson(res, 200, {
    kind: `${store.kind}List`,
    apiVersion: 'v1',
    metadata: { resourceVersion: String(store.currentRv()) },
    items,
  });
}

function create(
  deps: RouterDeps,
  store: ResourceStore,
  namespace: string,
  body: KubeObject | undefined,
): KubeObject {
  if (!body || typeof body !== 'object') throw badRequest('the body of the request was in an unknown format');
  if (body.metadata?.namespace && body.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (store.resource === 'pods') return deps.podsApi.create(namespace, body);
  const metadata = { ...(body.metadata ?? {}), namespace };
  if (!metadata.name) {
    throw new StatusError(
      422,
      'Invalid',
      `${store.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
    );
  }
  return store.create({ ...body, metadata, ...normaliseData(store, body) });
}

function normaliseData(store: ResourceStore, body: KubeObject): Partial<KubeObject> {
  if (store.resource !== 'secrets' || !body.stringData) return {};
  const data = { ...((body.data ?? {}) as Record<string, string>) };
  for (const [key, value] of Object.entries(body.stringData as Record<string, string>)) {
    data[key] = Buffer.from(value).toString('base64');
  }
  return { data, stringData: undefined };
}

function deleteCollection(
  deps: RouterDeps,
  store: ResourceStore,
  namespace: string,
  res: ServerResponse,
  url: URL,
) {
  const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
  const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), store.fields);
  const items = store
    .list(namespace)
    .filter((object) => labels(object) && fields(object))
    .map((object) => {
      const name = object.metadata.name ?? '';
      return store.resource === 'pods'
        ? deps.podsApi.delete(namespace, name, undefined)
        : store.remove(namespace, name);
    });
  sendJson(res, 200, {
    kind: `${store.kind}List`,
    apiVersion: 'v1',
    metadata: { resourceVersion: String(store.currentRv()) },
    items,
  });
}
