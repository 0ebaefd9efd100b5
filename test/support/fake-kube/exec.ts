import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ContainerProcess, quote } from './container-process.ts';
import { asIdentity } from './identity.ts';
import type { Kubelet } from './kubelet.ts';
import { findStatus } from './pod-status.ts';
import type { Route } from './router.ts';
import { badRequest, failureStatus, StatusError } from './status.ts';
import type { ResourceStore } from './store.ts';
import type { PodJson, RequestLogEntry } from './types.ts';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

/** What the exec endpoint reaches. */
export interface ExecDeps {
  pods: ResourceStore;
  kubelet: Kubelet;
  requests: RequestLogEntry[];
  execErrors: { remaining: number };
}

/** Serves `pods/NAME/exec` over WebSocket (v5/v4 channel protocols) by running the command inside the container. */
export class ExecEndpoint {
  private readonly deps: ExecDeps;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((protocol) => offered.has(protocol)) ?? false,
  });

  constructor(deps: ExecDeps) {
    this.deps = deps;
  }

  /** Handle an HTTP upgrade for a parsed route; errors answer as a v1.Status before the upgrade. */
  upgrade(route: Route, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const entry: RequestLogEntry = {
      verb: 'exec',
      resource: 'pods',
      path: `${url.pathname}${url.search}`,
      status: 101,
      at: Date.now(),
      ...(route.name ? { name: route.name } : {}),
      ...(route.namespace ? { namespace: route.namespace } : {}),
    };
    this.deps.requests.push(entry);
    try {
      const target = this.target(route, url);
      this.wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, target, url.searchParams));
    } catch (error) {
      const status =
        error instanceof StatusError ? error : new StatusError(500, 'InternalError', String(error));
      entry.status = status.code;
      const body = JSON.stringify(status.body());
      socket.end(
        `HTTP/1.1 ${status.code} ${status.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
  }

  private target(route: Route, url: URL): ContainerProcess {
    if (this.deps.execErrors.remaining > 0) {
      this.deps.execErrors.remaining--;
      throw new StatusError(500, 'InternalError', 'Internal error occurred: injected exec failure');
    }
    const pod = this.deps.pods.get(route.namespace ?? 'default', route.name ?? '') as PodJson;
    const phase = pod.status.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    }
    const container = url.searchParams.get('container') ?? pod.spec.containers[0]?.name ?? '';
    const init = (pod.spec.initContainers ?? []).some((candidate) => candidate.name === container);
    const running = findStatus(pod, container, init)?.state.running;
    const process = this.deps.kubelet.process(pod.metadata.uid ?? '', container);
    if (!running || !process?.pid1()) throw badRequest(`container not found ("${container}")`);
    return process;
  }

  /** Close every exec session. */
  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}

function runSession(ws: WebSocket, container: ContainerProcess, params: URLSearchParams): void {
  const command = params.getAll('command');
  const flag = (name: string) => params.get(name) === 'true' || params.get(name) === '1';
  const child = spawn(
    '/usr/bin/nsenter',
    [
      '--target',
      String(container.pid1()),
      '--mount',
      '--pid',
      '--uts',
      `--wdns=${container.workingDir}`,
      '--',
      '/bin/sh',
      '-c',
      `command -v "$1" >/dev/null 2>&1 || exit 255; echo started >&3; exec 3>&-; exec ${[...asIdentity(container.identity).map(quote), '"$@"'].join(' ')}`,
      'exec',
      ...command,
    ],
    { env: container.env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] },
  );
  let started = false;
  child.stdio[3]?.on('data', () => {
    started = true;
  });
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  if (flag('stdout')) child.stdout?.on('data', (chunk: Buffer) => send(STDOUT, chunk));
  else child.stdout?.resume();
  if (flag('stderr')) child.stderr?.on('data', (chunk: Buffer) => send(STDERR, chunk));
  else child.stderr?.resume();
  if (!flag('stdin')) child.stdin?.end();
  child.stdin?.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    if (data[0] === STDIN && child.stdin?.writable) child.stdin.write(data.subarray(1));
    if (data[0] === CLOSE && data[1] === STDIN) child.stdin?.end();
  });
  ws.on('close', () => {
    if (child.stdin?.writable) child.stdin.end();
  });
  child.on('close', (code, signal) => {
    const exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
    send(STATUS, Buffer.from(JSON.stringify(execStatus(command, exitCode, started))));
    ws.close(1000);
  });
}

/** The status frame the kubelet sends on channel 3. */
function execStatus(command: string[], exitCode: number, started: boolean): Record<string, unknown> {
  if (!started) {
    const message = `Internal error occurred: error executing command in container: failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0] ?? ''}": executable file not found in $PATH: unknown`;
    const { kind: _kind, apiVersion: _apiVersion, ...status } = failureStatus(500, 'InternalError', message);
    return status;
  }
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}
