/**
 * A fake Kubernetes API server for tests: real HTTP that @kubernetes/client-node talks to, with a kubelet
 * simulator that runs each container's command as a local process (see images.ts for the scripted failure
 * images, docs/fake-kube.md for how tests use it).
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYaml, type V1Pod } from '@kubernetes/client-node';
import { EVENT_FIELDS, EventRecorder } from './events.ts';
import { ExecEndpoint } from './exec.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { Kubelet } from './kubelet.ts';
import { POD_FIELDS, PodsApi } from './pods-api.ts';
import { parseRoute, route } from './router.ts';
import { ResourceStore, type Revision } from './store.ts';
import type { Faults, RequestLogEntry } from './types.ts';
import { WatchHub } from './watch.ts';

export { kubeconfigYaml } from './kubeconfig.ts';
export type { Faults, RequestLogEntry } from './types.ts';

/** A running fake API server. */
export interface FakeKube {
  /** http://127.0.0.1:PORT */
  url: string;
  /** A kubeconfig file pointing at url (context `fake`, namespace `default`). */
  kubeconfigPath: string;
  kubeconfigYaml: string;
  /** Every request served, in arrival order. */
  requests: RequestLogEntry[];
  /** How many requests match the filter. */
  count(filter: Partial<Pick<RequestLogEntry, 'verb' | 'resource'>>): number;
  faults: Faults;
  /** The pods as stored now (all namespaces when none is given). */
  pods(namespace?: string): V1Pod[];
  /** Put a secret (plain-text values) into the fake's store. */
  secrets: { put(namespace: string, name: string, data: Record<string, string>): void };
  /** Resolve once `predicate()` is true; reject after timeoutMs (default 5000). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Kill every simulated container process, close sockets, remove temp dirs. */
  close(): Promise<void>;
}

/** Options of startFakeKube. */
export interface FakeKubeOptions {
  /** Watch events kept for resume (default 1000). */
  historySize?: number;
  /** Kubelet simulator tick (default 10 ms). */
  kubeletTickMs?: number;
  /** Namespaces that exist (default ['default']). */
  namespaces?: string[];
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms). */
  bookmarkMs?: number;
}

/** Start a fake API server on a free 127.0.0.1 port. */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fake-kube-'));
  const revision: Revision = { value: 1 };
  const historySize = options.historySize ?? 1000;
  const store = (resource: string, kind: string, fields: readonly string[]) =>
    new ResourceStore(resource, kind, fields, revision, historySize);
  const meta = ['metadata.name', 'metadata.namespace'];
  const pods = store('pods', 'Pod', POD_FIELDS);
  const events = store('events', 'Event', EVENT_FIELDS);
  const secrets = store('secrets', 'Secret', [...meta, 'type']);
  const configMaps = store('configmaps', 'ConfigMap', meta);
  const serviceAccounts = store('serviceaccounts', 'ServiceAccount', meta);
  const kubelet = new Kubelet({
    pods,
    events: new EventRecorder(events),
    sources: { secrets, configMaps },
    tickMs: options.kubeletTickMs ?? 10,
    rootDir: join(dir, 'pods'),
    evictedOnce: new Set(),
  });
  const watches = new WatchHub(options.bookmarkMs ?? 1000);
  const requests: RequestLogEntry[] = [];
  const logErrors = { remaining: 0 };
  const watchErrors = { remaining: 0 };
  const unansweredWatches = { remaining: 0 };
  const execErrors = { remaining: 0 };
  const stores = new Map(
    [pods, events, secrets, configMaps, serviceAccounts].map((entry) => [entry.resource, entry]),
  );
  const deps = {
    stores,
    podsApi: new PodsApi(pods, kubelet),
    kubelet,
    watches,
    namespaces: new Set(options.namespaces ?? ['default']),
    requests,
    logErrors,
    watchErrors,
    unansweredWatches,
  };
  const exec = new ExecEndpoint({ pods, kubelet, requests, execErrors });
  const server = createServer((req, res) => void route(deps, req, res));
  server.on('upgrade', (req, socket, head) => {
    const target = parseRoute(new URL(req.url ?? '/', 'http://fake').pathname);
    if (target?.resource === 'pods' && target.sub === 'exec') exec.upgrade(target, req, socket, head);
    else socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake kube: no port');
  const url = `http://127.0.0.1:${address.port}`;
  const yaml = kubeconfigYaml(url);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, yaml);

  return {
    url,
    kubeconfigPath,
    kubeconfigYaml: yaml,
    requests,
    count: (filter) =>
      requests.filter(
        (entry) =>
          (filter.verb === undefined || entry.verb === filter.verb) &&
          (filter.resource === undefined || entry.resource === filter.resource),
      ).length,
    faults: {
      dropWatches: () => watches.drop(),
      stallWatches: (ms) => watches.stall(ms),
      malformedLine: () => watches.malformed(),
      expireHistory: () => {
        for (const entry of stores.values()) entry.expireHistory();
      },
      goneWatches: () => watches.gone(),
      bookmark: () => watches.bookmarkNow(),
      watchErrors: (n) => {
        watchErrors.remaining = n;
      },
      unansweredWatches: (n) => {
        unansweredWatches.remaining = n;
      },
      logErrors: (n) => {
        logErrors.remaining = n;
      },
      execErrors: (n) => {
        execErrors.remaining = n;
      },
    },
    pods: (namespace) => pods.list(namespace).map((pod) => loadYaml<V1Pod>(JSON.stringify(pod))),
    secrets: {
      put: (namespace, name, data) => {
        const encoded = Object.fromEntries(
          Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
        );
        const existing = secrets.find(namespace, name);
        if (existing) secrets.update(namespace, name, (object) => Object.assign(object, { data: encoded }));
        else secrets.create({ metadata: { name, namespace }, type: 'Opaque', data: encoded });
      },
    },
    waitFor: (predicate, timeoutMs = 5000) => waitFor(predicate, timeoutMs),
    close: async () => {
      watches.closeAll();
      exec.close();
      await kubelet.close();
      server.closeAllConnections();
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`fake kube: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
