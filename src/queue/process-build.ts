import type { Logger } from 'pino';
import { applyEvent, withPlan } from '../builds/apply-event.ts';
import { parseBuildRequest } from '../builds/request.ts';
import type { BuildStore } from '../builds/store.ts';
import type { BuildRecord, StageRecord } from '../builds/types.ts';
import { BerthError } from '../errors.ts';
import type { ForgeAdapter, ForgeName } from '../forge/types.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import type { BuildExecutor } from './executor.ts';
import type { BuildJobData } from './names.ts';
import { type Outcome, outcomeOf } from './outcome.ts';
import { RecordWriter } from './record-writer.ts';

/** Forge adapters by name; the worker picks one per build by `request.forge`. */
export type AdapterRegistry = Partial<Record<ForgeName, ForgeAdapter>>;

export interface ProcessDeps {
  store: BuildStore;
  logs: RedisLogStore;
  adapters: AdapterRegistry;
  execute: BuildExecutor;
  logger: Logger;
  now?: () => number;
}

/** Abort reason meaning "this worker is shutting down": the build is handed back, not cancelled. */
export class HandBack extends Error {
  override name = 'HandBack';
}

/** Abort reason meaning "another worker owns this build now": stop without writing anything. */
export class TakenOver extends Error {
  override name = 'TakenOver';
}

/** What became of a job: finished (any final state, or not ours), or handed back to the queue. */
export type ProcessResult = 'done' | 'handed-back';

/**
 * Runs one queued build as the owner `token`: claims the record, runs it through the
 * executor, writes every event and the final state, and reports each change.
 */
export async function processBuild(
  deps: ProcessDeps,
  data: BuildJobData,
  token: string,
  controller: AbortController,
): Promise<ProcessResult> {
  const now = () => new Date((deps.now ?? Date.now)()).toISOString();
  const { id } = data;
  const log = deps.logger.child({ build: id });
  const parsed = parseBuildRequest(data.request);
  let resumed = false;
  const claimed = await deps.store.update(
    id,
    (r) => {
      resumed = r.status === 'running';
      return { ...r, status: 'running', startedAt: r.startedAt ?? now() };
    },
    { claim: token },
  );
  if (!claimed.ok) {
    log.info({ why: claimed.why }, 'build not started');
    if (claimed.record?.status === 'cancelled' && parsed.ok) {
      await deps.adapters[parsed.request.forge]?.reporter
        .report(claimed.record)
        .catch((err: unknown) => log.warn({ err, id }, 'reporting build status failed'));
    }
    return 'done';
  }
  const adapter = parsed.ok ? deps.adapters[parsed.request.forge] : undefined;
  const writer = new RecordWriter({
    store: deps.store,
    id,
    owner: token,
    reporter: adapter?.reporter ?? null,
    log,
    onLost: () => controller.abort(new TakenOver('the build was taken over')),
  });
  writer.report(claimed.record);
  const sink = deps.logs.sink(id);
  if (resumed) sink.append(systemLine('build taken over by another worker: running it again', deps.now));
  const cancelReason = await deps.store.cancelRequested(id);
  if (cancelReason !== null) controller.abort(cancelReason);

  let final: (r: BuildRecord) => BuildRecord;
  try {
    if (!parsed.ok) throw new BerthError(`invalid build request: ${parsed.message}`, notRetryable);
    if (!adapter) throw new BerthError(`forge '${parsed.request.forge}' is not enabled`, notRetryable);
    controller.signal.throwIfAborted();
    const result = await deps.execute({
      id,
      buildRef: claimed.record.buildRef,
      request: parsed.request,
      adapter,
      sink,
      signal: controller.signal,
      onSource: (sha) => writer.change((r) => ({ ...r, sha })),
      onPlan: (plan) => writer.change((r) => withPlan(r, plan)),
      onEvent: (event) => {
        if (event.type !== 'build-finished') writer.change((r) => applyEvent(r, event));
      },
    });
    final = (r) => applyEvent(r, { type: 'build-finished', result });
  } catch (error) {
    const outcome = outcomeOf(error, controller.signal);
    final = (r) => ended(r, outcome, now());
  }
  const reason: unknown = controller.signal.reason;
  if (reason instanceof HandBack || reason instanceof TakenOver) {
    await Promise.allSettled([writer.settled(), sink.flush()]);
    return reason instanceof HandBack ? 'handed-back' : 'done';
  }
  const written = await writer.write(final);
  await sink.close();
  await writer.settled();
  log.info({ status: written?.ok ? written.record.status : 'unchanged' }, 'build finished');
  return 'done';
}

const notRetryable = { retryable: false, reason: 'config' } as const;

/** A record ended without an engine result: open stages and steps are closed too. */
export function ended(record: BuildRecord, outcome: Outcome, at: string): BuildRecord {
  const close = (status: StageRecord['status']) =>
    status === 'running' ? outcome.status : status === 'pending' ? 'skipped' : status;
  return {
    ...record,
    ...outcome,
    finishedAt: at,
    stages: record.stages.map((stage) => ({
      ...stage,
      status: close(stage.status),
      steps: stage.steps.map((step) => ({
        ...step,
        status: close(step.status),
        finishedAt: step.status === 'running' ? at : step.finishedAt,
      })),
    })),
  };
}

function systemLine(text: string, clock?: () => number) {
  return { stage: '', step: '', stream: 'system' as const, time: (clock ?? Date.now)(), text };
}
