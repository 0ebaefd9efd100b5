import type { ServerResponse } from 'node:http';
import { type ContainerLog, formatNano, type LogLine } from './container-log.ts';
import type { Kubelet } from './kubelet.ts';
import { findStatus } from './pod-status.ts';
import { badRequest } from './status.ts';
import type { ResourceStore } from './store.ts';
import type { PodJson } from './types.ts';

/** Query options of `pods/NAME/log`. */
interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  sinceNs: bigint | undefined;
  tailLines: number | undefined;
  limitBytes: number | undefined;
}

/** Serve `GET pods/NAME/log` the way the API server and kubelet do (errors are thrown as StatusError). */
export function serveLog(
  pods: ResourceStore,
  kubelet: Kubelet,
  namespace: string,
  name: string,
  url: URL,
  res: ServerResponse,
): void {
  const pod = pods.get(namespace, name) as PodJson;
  const container = pickContainer(pod, url.searchParams.get('container'));
  if (!pod.spec.nodeName) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end();
    return;
  }
  checkLogStatus(pod, container);
  const options = parseOptions(url.searchParams);
  const log = kubelet.log(pod.metadata.uid ?? '', container);
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  if (!log) {
    res.end();
    return;
  }
  stream(log, options, res);
}

function pickContainer(pod: PodJson, requested: string | null): string {
  const name = pod.metadata.name ?? '';
  const app = pod.spec.containers.map((container) => container.name);
  const init = (pod.spec.initContainers ?? []).map((container) => container.name);
  if (!requested) {
    if (app.length === 1 && app[0]) return app[0];
    const suffix = init.length > 0 ? ` or one of the init containers: [${init.join(' ')}]` : '';
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]${suffix}`,
    );
  }
  if (!app.includes(requested) && !init.includes(requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

function checkLogStatus(pod: PodJson, container: string): void {
  const name = pod.metadata.name ?? '';
  const init = (pod.spec.initContainers ?? []).some((candidate) => candidate.name === container);
  const status = findStatus(pod, container, init);
  const prefix = `container "${container}" in pod "${name}"`;
  if (!status) throw badRequest(`${prefix} is waiting to start: ContainerCreating`);
  const { waiting, running, terminated } = status.state;
  if (running || terminated || status.lastState.terminated) return;
  const reasons: Record<string, string> = {
    ErrImagePull: "image can't be pulled",
    ImagePullBackOff: 'trying and failing to pull image',
  };
  if (waiting)
    throw badRequest(`${prefix} is waiting to start: ${reasons[waiting.reason] ?? waiting.reason}`);
  throw badRequest(`${prefix} is waiting to start - no logs yet`);
}

function parseOptions(params: URLSearchParams): LogOptions {
  const since = params.get('sinceTime');
  const sinceSeconds = params.get('sinceSeconds');
  let sinceNs: bigint | undefined;
  if (since) {
    const ms = Date.parse(since);
    if (Number.isNaN(ms)) throw badRequest(`parsing time "${since}" as RFC3339: cannot parse`);
    // The API server forwards sinceTime to the kubelet in RFC3339 with whole seconds.
    sinceNs = BigInt(Math.floor(ms / 1000)) * 1_000_000_000n;
  } else if (sinceSeconds) {
    sinceNs = BigInt(Math.floor(Date.now() / 1000) - Number(sinceSeconds)) * 1_000_000_000n;
  }
  const tail = params.get('tailLines');
  const limit = params.get('limitBytes');
  return {
    follow: params.get('follow') === 'true',
    timestamps: params.get('timestamps') === 'true',
    sinceNs,
    tailLines: tail ? Number(tail) : undefined,
    limitBytes: limit ? Number(limit) : undefined,
  };
}

function stream(log: ContainerLog, options: LogOptions, res: ServerResponse): void {
  let next = firstLine(log.lines, options);
  let bytes = 0;
  const flush = (): boolean => {
    for (; next < log.lines.length; next++) {
      const line = log.lines[next] as LogLine;
      const text = options.timestamps ? `${formatNano(line.ns)} ${line.text}` : line.text;
      bytes += Buffer.byteLength(text);
      if (options.limitBytes !== undefined && bytes > options.limitBytes) return false;
      res.write(text);
    }
    return true;
  };
  if (!flush() || !options.follow || log.ended) {
    res.end();
    return;
  }
  const unsubscribe = log.follow(() => {
    if (!flush() || log.ended) {
      unsubscribe();
      res.end();
    }
  });
  res.on('close', unsubscribe);
}

function firstLine(lines: LogLine[], options: LogOptions): number {
  let first = 0;
  if (options.sinceNs !== undefined) {
    const since = options.sinceNs;
    first = lines.findIndex((line) => line.ns >= since);
    if (first < 0) first = lines.length;
  }
  if (options.tailLines !== undefined) first = Math.max(first, lines.length - options.tailLines);
  return first;
}
