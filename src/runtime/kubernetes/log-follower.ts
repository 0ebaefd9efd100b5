import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { StepOutput } from '../../logs/types.ts';
import { type ApiRequestCounter, backoffMs, sleep } from './api.ts';
import { readText, streamGet } from './kube-http.ts';
import { LineDeduper, parseTimedLine, sinceTimeOf } from './log-lines.ts';

export interface LogFollowerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  output: StepOutput;
  /** Per-step byte cap; past it a visible marker is written and reading stops. */
  capBytes: number | null;
  /** Resolves once the watch saw the container terminate (or the pod vanish). */
  terminated: Promise<void>;
  logger: Logger;
  count: ApiRequestCounter;
  /** The step was stopped and its pod is being deleted: a 404 is expected, not worth a warning. */
  draining?: boolean;
}

/** A running log reader with its own lifetime (not the step's). */
export interface LogFollower {
  /** Resolves when the log was read to its end, capped, or the follower was stopped. */
  done: Promise<void>;
  /** True once the stream reached EOF after the container terminated (or was capped): nothing was lost. */
  readonly complete: boolean;
  stop(): void;
}

type StreamEnd = 'eof' | 'broken' | 'gone' | 'capped' | 'stopped';

/** How long an EOF may precede the watch's news of the container's exit before we reconnect. */
const EOF_SETTLE_MS = 2000;

/**
 * Follows a container's log with `timestamps=true`, writing complete lines with the
 * kubelet's timestamps. 400 (not started yet), 5xx and connection errors are retried with
 * backoff; after a drop it reconnects with `sinceTime` and drops the repeated lines.
 */
export function followLog(options: LogFollowerOptions): LogFollower {
  const lifetime = new AbortController();
  const state = { written: 0, deduper: new LineDeduper() };
  let complete = false;
  const done = (async () => {
    let attempt = 0;
    let terminated = false;
    options.terminated.then(() => {
      terminated = true;
    });
    while (!lifetime.signal.aborted) {
      const end = await readOnce(options, state, lifetime.signal).catch((error: unknown) => {
        options.logger.debug({ err: error, pod: options.pod }, 'log stream failed');
        return 'broken' as const;
      });
      if (end === 'capped') complete = true;
      if (end === 'gone' && !options.draining)
        options.logger.warn({ pod: options.pod }, 'the pod was gone before its log ended');
      if (end === 'gone' || end === 'capped' || end === 'stopped') return;
      if (end === 'eof') {
        attempt = 0;
        if (terminated || (await settled(options.terminated, lifetime.signal))) {
          complete = true;
          return;
        }
        continue;
      }
      await sleep(backoffMs(attempt++, 100, 2000), lifetime.signal);
    }
  })();
  return {
    done,
    get complete() {
      return complete;
    },
    stop: () => lifetime.abort(),
  };
}

async function settled(terminated: Promise<void>, signal: AbortSignal): Promise<boolean> {
  let ok = false;
  await Promise.race([terminated.then(() => (ok = true)), sleep(EOF_SETTLE_MS, signal)]);
  return ok;
}

async function readOnce(
  options: LogFollowerOptions,
  state: { written: number; deduper: LineDeduper },
  signal: AbortSignal,
): Promise<StreamEnd> {
  const since = state.deduper.lastNs;
  const query: Record<string, string> = { container: options.container, follow: 'true', timestamps: 'true' };
  if (since !== null) query.sinceTime = sinceTimeOf(since);
  const path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.pod)}/log`;
  let response: IncomingMessage;
  try {
    options.count('log');
    response = await streamGet(options.kubeConfig, path, query, signal);
  } catch (error) {
    if (signal.aborted) return 'stopped';
    throw error;
  }
  if (response.statusCode === 404) {
    await readText(response);
    return 'gone';
  }
  if (response.statusCode !== 200) {
    const body = await readText(response);
    options.logger.debug(
      { status: response.statusCode, body: body.slice(0, 300), pod: options.pod },
      'log retry',
    );
    return 'broken';
  }
  state.deduper.reconnected();
  return pump(response, options, state, signal);
}

function pump(
  response: IncomingMessage,
  options: LogFollowerOptions,
  state: { written: number; deduper: LineDeduper },
  signal: AbortSignal,
): Promise<StreamEnd> {
  return new Promise((resolve) => {
    let rest = Buffer.alloc(0);
    let ended = false;
    const finish = (end: StreamEnd): void => {
      if (ended) return;
      ended = true;
      response.destroy();
      resolve(end);
    };
    const emit = (raw: Buffer): boolean => {
      const line = parseTimedLine(raw.toString('utf8').replace(/\r$/, ''));
      if (!state.deduper.accept(line)) return true;
      state.written += Buffer.byteLength(line.text) + 1;
      if (options.capBytes !== null && state.written > options.capBytes) {
        options.output.line(
          'system',
          `[berth] log truncated: the step wrote more than ${options.capBytes} bytes`,
        );
        return false;
      }
      const time = line.ns === null ? Date.now() : Number(line.ns / 1_000_000n);
      options.output.line('stdout', line.text, time);
      return true;
    };
    response.on('data', (chunk: Buffer) => {
      if (ended) return;
      let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      for (let index = data.indexOf(10); index >= 0; index = data.indexOf(10)) {
        if (!emit(data.subarray(0, index))) return finish('capped');
        data = data.subarray(index + 1);
      }
      rest = Buffer.from(data);
    });
    response.on('end', () => {
      if (rest.length > 0 && !emit(rest)) return finish('capped');
      finish('eof');
    });
    response.on('error', () => finish(signal.aborted ? 'stopped' : 'broken'));
    response.on('close', () => finish(signal.aborted ? 'stopped' : 'broken'));
    signal.addEventListener('abort', () => finish('stopped'), { once: true });
  });
}
