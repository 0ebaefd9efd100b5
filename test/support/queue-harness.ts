import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { pino } from 'pino';
import type { BuildRecord } from '../../src/builds/types.ts';
import { createLocalAdapter } from '../../src/forge/local/adapter.ts';
import type { BuildRunner } from '../../src/queue/build-runner.ts';
import { createQueueStack, type QueueStack } from '../../src/queue/stack.ts';
import { type BuildWorker, type BuildWorkerOptions, startBuildWorker } from '../../src/queue/worker.ts';
import type { BuildState } from '../../src/vocab/index.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { scriptedRunner } from './scripted-runner.ts';

export const quietLogger = pino({ level: 'silent' });

/** The shared queue pieces on `url`, with test-sized retention and caps. */
export function testStack(url: string): QueueStack {
  return createQueueStack({
    redis: url,
    logger: quietLogger,
    retentionMs: 3_600_000,
    logCaps: { stepBytes: 1e6, buildBytes: 2e6 },
  });
}

/** A private Redis and a test stack on it for the enclosing suite (`before` / `after`). */
export function useQueueStack(): { readonly server: TestRedis; readonly stack: QueueStack } {
  let server: TestRedis | undefined;
  let stack: QueueStack | undefined;
  before(async () => {
    server = await startRedis();
    stack = testStack(server.url);
  });
  after(async () => {
    await stack?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useQueueStack: the suite has not started');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get stack() {
      return started(stack);
    },
  };
}

/** A worker with short lock/stalled intervals, the scripted runner and the local adapter. */
export function testWorker(
  stack: QueueStack,
  overrides: Partial<BuildWorkerOptions> & { runner?: BuildRunner } = {},
): Promise<BuildWorker> {
  return startBuildWorker({
    connection: stack.bull,
    keys: stack.keys,
    store: stack.store,
    logs: stack.logs,
    bus: stack.bus,
    // Test repositories are temp folders: BERTH_LOCAL_SOURCES of the tests is the temp root.
    adapters: { local: createLocalAdapter([tmpdir()]) },
    runner: scriptedRunner,
    logger: quietLogger,
    concurrency: 4,
    lockDurationMs: 1000,
    stalledIntervalMs: 500,
    sweepIntervalMs: 60_000,
    ...overrides,
  });
}

/** Polls the record until `done` says so (or throws after `timeoutMs`). */
export async function waitForRecord(
  stack: QueueStack,
  id: string,
  done: (r: BuildRecord | null) => boolean,
  timeoutMs = 15_000,
): Promise<BuildRecord | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const record = await stack.store.get(id).catch(() => null);
    if (done(record)) return record;
    if (Date.now() > until) throw new Error(`build ${id} never got there; last: ${record?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the build reaches one of `states`. */
export const waitForState = (stack: QueueStack, id: string, ...states: BuildState[]) =>
  waitForRecord(stack, id, (r) => r !== null && states.includes(r.status));
