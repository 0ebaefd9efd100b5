import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../retry.ts';
import { BUILD_KEY_LABEL } from './names.ts';

/** One container event of the build, as the engine reported it. */
export interface ContainerEvent {
  id: string;
  /** create, start, die, oom, kill, destroy / remove, … */
  action: string;
  /** The exit code of a `die` (Docker: exitCode, Podman: containerExitCode). */
  exitCode: number | null;
}

type Listener = (event: ContainerEvent) => void;

/** The most events kept for a container nobody listens to yet (a `die` can beat the subscription). */
const PENDING_PER_CONTAINER = 16;

/**
 * The one `/events` stream of a build, filtered by the build's label and opened
 * before its first container: steps learn their containers' state from it, never by
 * polling. A dropped stream is reopened with `since` the last event seen (events of
 * the gap are replayed, duplicates dropped), with backoff.
 */
export class BuildEvents {
  readonly #docker: Dockerode;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  readonly #listeners = new Map<string, Listener>();
  readonly #pending = new Map<string, ContainerEvent[]>();
  readonly #seen = new Set<string>();
  #since: string;
  #connected: Promise<void>;
  #markConnected: () => void = () => {};
  readonly #count: () => void;

  constructor(options: { docker: Dockerode; key: string; logger: Logger; count: () => void }) {
    this.#docker = options.docker;
    this.#key = options.key;
    this.#logger = options.logger;
    this.#count = options.count;
    // A second back: events the engine stamps while this request is being set up still arrive.
    this.#since = ((Date.now() - 1000) / 1000).toFixed(3);
    this.#connected = new Promise((resolve) => {
      this.#markConnected = resolve;
    });
  }

  /** Starts the stream; resolves once the engine has answered the first request (or `signal` aborts). */
  start(signal: AbortSignal): Promise<void> {
    void this.#run();
    return Promise.race([
      this.#connected,
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
  }

  /** Calls `listener` with the events of container `id` (those already received first). */
  subscribe(id: string, listener: Listener): () => void {
    this.#listeners.set(id, listener);
    const early = this.#pending.get(id) ?? [];
    this.#pending.delete(id);
    for (const event of early) listener(event);
    return () => {
      this.#listeners.delete(id);
      this.#pending.delete(id);
    };
  }

  stop(): void {
    this.#stop.abort();
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    for (let attempt = 0; !signal.aborted; ) {
      try {
        this.#count();
        const stream = await this.#docker.getEvents({
          since: this.#since,
          filters: JSON.stringify({ type: ['container'], label: [`${BUILD_KEY_LABEL}=${this.#key}`] }),
          abortSignal: signal,
        } as unknown as Dockerode.GetEventsOptions);
        this.#markConnected();
        attempt = 0;
        await this.#read(stream);
        if (!signal.aborted) this.#logger.debug('build event stream ended; reopening');
      } catch (error) {
        if (signal.aborted) return;
        this.#logger.warn({ err: error, attempt }, 'build event stream failed; reopening');
        await sleep(backoffMs(attempt++, 200), signal);
      }
    }
  }

  #read(stream: NodeJS.ReadableStream): Promise<void> {
    return new Promise((resolve, reject) => {
      let buffer = '';
      const onAbort = () => (stream as unknown as { destroy(): void }).destroy();
      this.#stop.signal.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
          this.#line(buffer.slice(0, end));
          buffer = buffer.slice(end + 1);
        }
      });
      const done = (error?: Error) => {
        this.#stop.signal.removeEventListener('abort', onAbort);
        if (buffer.trim()) this.#line(buffer);
        buffer = '';
        if (error && !this.#stop.signal.aborted) reject(error);
        else resolve();
      };
      stream.on('end', () => done());
      stream.on('close', () => done());
      stream.on('error', (error: Error) => done(error));
    });
  }

  #line(text: string): void {
    if (!text.trim()) return;
    let raw: EngineEventJson;
    try {
      raw = JSON.parse(text) as EngineEventJson;
    } catch {
      this.#logger.warn({ length: text.length }, 'unreadable engine event skipped');
      return;
    }
    const id = raw.Actor?.ID ?? raw.id;
    const action = raw.Action ?? raw.status;
    if (typeof id !== 'string' || typeof action !== 'string') return;
    if (raw.Actor?.Attributes?.[BUILD_KEY_LABEL] !== this.#key) return;
    const time = raw.timeNano ?? (raw.time ?? 0) * 1e9;
    const dedupe = `${id} ${action} ${time}`;
    if (this.#seen.has(dedupe)) return;
    this.#seen.add(dedupe);
    if (time > 0) this.#since = (Math.floor(time / 1e6) / 1e3).toFixed(3);
    const attributes = raw.Actor?.Attributes ?? {};
    const code = attributes.exitCode ?? attributes.containerExitCode;
    const event: ContainerEvent = {
      id,
      action: action.split(':')[0] ?? action,
      exitCode: code !== undefined && /^-?\d+$/.test(code) ? Number(code) : null,
    };
    const listener = this.#listeners.get(id);
    if (listener) {
      listener(event);
      return;
    }
    const pending = this.#pending.get(id) ?? [];
    if (pending.length < PENDING_PER_CONTAINER) pending.push(event);
    this.#pending.set(id, pending);
  }
}

interface EngineEventJson {
  status?: string;
  id?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}
