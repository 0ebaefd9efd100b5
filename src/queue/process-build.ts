import type { Logger } from 'pino';
import { applyEvent, withPlan } from '../builds/apply-event.ts';
import { parseBuildRequest } from '../builds/request.ts';
import type { BuildStore } from '../builds/store.ts';
import type { BuildRecord, StageRecord } from '../builds/types.ts';
import { BerthError } from '../errors.ts';
import type { ForgeAdapter } from '../forge/types.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import type { LogSink } from '../logs/types.ts';
import { CancelledError, HandBackError, TakenOverError } from '../stop-reasons.ts';
import type { ForgeName } from '../vocab/index.ts';
import { acquireFor, admittedRecord, groupKey, ownerKey, repoKey, waitingRecord } from './admission.ts';
import { BuildMeter, type BuildMetrics, seconds } from './build-meter.ts';
import type { BuildRun, BuildRunner } from './build-runner.ts';
import type { BuildJobData } from './job-data.ts';
import { type Outcome, outcomeOf } from './outcome.ts';
import { RecordWriter } from './record-writer.ts';
import type { SlotKeeper } from './slots/keeper.ts';

/** Forge adapters by name; the worker picks one per build by `request.forge`. */
export type AdapterRegistry = Partial<Record<ForgeName, ForgeAdapter>>;

/** What running a job needs: records, logs, forge adapters, the build runner. */
export interface ProcessDeps {
  store: BuildStore;
  logs: RedisLogStore;
  adapters: AdapterRegistry;
  runner: BuildRunner;
  logger: Logger;
  /** Builds, steps and queue wait are recorded here when given. */
  metrics?: BuildMetrics;
  now?: () => number;
  /** Concurrency groups and fair-share caps; without it builds start as soon as a worker takes them. */
  slots?: SlotDeps;
}

/** Slot accounting and what it needs from the queue. */
export interface SlotDeps {
  keeper: SlotKeeper;
  /** Cancels builds (cancel-in-progress), saying why. */
  cancel(ids: string[], reason: string): Promise<void>;
}

/** What became of a job: finished (any final state, or not ours), handed back to the queue, or parked to wait for slots. */
export type ProcessResult = 'done' | 'handed-back' | 'parked';

/**
 * Runs one queued build as the owner `token`: claims the record, runs it through the
 * runner, writes every event and the final state, and reports each change.
 */
export async function processBuild(
  deps: ProcessDeps,
  data: BuildJobData,
  token: string,
  controller: AbortController,
): Promise<ProcessResult> {
  const parsed = parseBuildRequest(data.request);
  // Every line about this build carries its id, repository and the delivery that asked for it.
  const log = deps.logger.child({
    build: data.id,
    ...(parsed.ok ? { repo: `${parsed.request.forge}:${parsed.request.repo}` } : {}),
    ...(parsed.ok && parsed.request.deliveryId ? { delivery: parsed.request.deliveryId } : {}),
  });
  const adapter = parsed.ok ? deps.adapters[parsed.request.forge] : undefined;
  const slot = deps.slots;
  // Where the build stands in the slot accounting, in one call. A parked build that still
  // waits goes back to sleep without reading its pipeline again; one that holds its slots
  // (woken, or taken over) starts as it is claimed.
  const stands = slot ? await arrive(slot, data, parsed) : null;
  if (slot && stands) {
    void slot.keeper.wake(stands.granted);
    if (stands.state === 'gated' || stands.state === 'waiting') {
      const state = stands;
      const updated = await deps.store.update(data.id, (r) =>
        waitingRecord(r, state, state.state === 'waiting' ? r.waiting?.group : undefined),
      );
      if (updated.ok && updated.record.status === 'queued') {
        if (state.state === 'waiting' && updated.record.message !== null)
          await reportOnce(adapter, updated.record, log);
        return 'parked';
      }
    }
  }
  const holding = stands?.state === 'holding';
  const claim = await claimBuild(deps, data.id, token, slot !== undefined && !holding);
  if (!claim.ok) {
    if (slot) await slot.keeper.release(data.id);
    log.info({ why: claim.why }, 'build not started');
    if (claim.record?.status === 'cancelled') {
      // Cancelled while queued: this worker is the one that reports it, so it counts it too.
      if (claim.record.startedAt === null) deps.metrics?.buildFinished('cancelled', 0);
      await reportOnce(adapter, claim.record, log);
    }
    return 'done';
  }
  if (!claim.resumed && (!slot || holding))
    deps.metrics?.queueWait(seconds(claim.record.createdAt, claim.record.startedAt));
  const writer = new RecordWriter({
    store: deps.store,
    id: data.id,
    owner: token,
    reporter: adapter?.reporter ?? null,
    log,
    onLost: () => controller.abort(new TakenOverError()),
    ...(deps.metrics ? { meter: new BuildMeter(deps.metrics, claim.record) } : {}),
  });
  writer.report(claim.record, claim.rev);
  const sink = deps.logs.sink(data.id);
  if (claim.resumed)
    sink.append(systemLine('build taken over by another worker: running it again', deps.now));
  const requested = await deps.store.cancelRequested(data.id);
  if (requested !== null) controller.abort(new CancelledError(requested));

  let admitted = !slot || claim.record.status === 'running';
  let parked = false;
  const admit = async (concurrency: Parameters<NonNullable<BuildRun['admit']>>[0]) => {
    if (!slot || !parsed.ok || admitted) return;
    const { keeper } = slot;
    const seq = data.seq ?? (await keeper.slots.enqueue(data.id, repoKey(parsed.request)));
    const state = await acquireFor(keeper.slots, { id: data.id, seq, request: parsed.request, concurrency });
    void keeper.wake(state.granted);
    if (state.older.length > 0 && concurrency)
      await slot.cancel(
        state.older,
        `superseded by build ${data.id} (concurrency group ${concurrency.group})`,
      );
    if (state.state === 'holding') {
      admitted = true;
      const at = isoNow(deps.now);
      const started = await writer.write((r) => admittedRecord(r, at));
      if (started?.ok) deps.metrics?.queueWait(seconds(started.record.createdAt, started.record.startedAt));
      return;
    }
    parked = true;
    await writer.write((r) => waitingRecord(r, state, concurrency?.group));
    // Joining moved others' places when a build requested earlier joined after them, or
    // when builds were given slots in this call; else the line is as its records say.
    if (concurrency && (state.moved > 0 || state.granted.length > 0))
      await keeper.refresh(groupKey(parsed.request, concurrency.group), concurrency.group);
    throw new ParkedError();
  };
  const final = await runToEnd(deps, {
    id: data.id,
    record: claim.record,
    // Holding its slots while still queued: it planned (and logged its plan) before it parked.
    plannedBefore: holding && !claim.resumed,
    parsed,
    adapter,
    sink,
    writer,
    controller,
    admit,
  });
  if (parked) {
    await Promise.allSettled([writer.settled(), sink.flush()]);
    return 'parked';
  }
  const reason: unknown = controller.signal.reason;
  if (reason instanceof HandBackError || reason instanceof TakenOverError) {
    await Promise.allSettled([writer.settled(), sink.flush()]);
    return reason instanceof HandBackError ? 'handed-back' : 'done';
  }
  const at = isoNow(deps.now);
  // A build that ended before asking for its slots (a runner that never admits, a pipeline
  // with nothing to run) still moves queued → running → final: queued → success is illegal.
  if (!admitted) await writer.write((r) => admittedRecord(r, at));
  const written = await writer.write(final);
  // The slot frees as soon as the build's end is recorded; the log and the report follow.
  if (slot) await slot.keeper.release(data.id);
  await sink.close();
  await writer.settled();
  log.info({ status: written?.ok ? written.record.status : 'unchanged' }, 'build finished');
  return 'done';
}

/** `Slots.arrive` for the job's build (an invalid request counts nowhere: it fails when run). */
function arrive(slot: SlotDeps, data: BuildJobData, parsed: ReturnType<typeof parseBuildRequest>) {
  const seq = data.seq ?? Date.now();
  const r = parsed.ok ? parsed.request : null;
  return slot.keeper.slots.arrive(data.id, seq, r ? repoKey(r) : '', r ? ownerKey(r) : '');
}

/** Marks the build running under `token`; `resumed` when it was running under another worker. */
async function claimBuild(deps: ProcessDeps, id: string, token: string, waitsForSlots: boolean) {
  let resumed = false;
  const at = isoNow(deps.now);
  const result = await deps.store.update(
    id,
    (r) => {
      resumed = r.status === 'running';
      // With slot accounting a build stays queued until it has its slots (admit).
      if (waitsForSlots && r.status === 'queued') return r;
      return { ...r, status: 'running', startedAt: r.startedAt ?? at };
    },
    { claim: token },
  );
  return result.ok ? { ...result, resumed } : result;
}

/** Runs the build runner; returns the change that records how the build ended. */
async function runToEnd(
  deps: ProcessDeps,
  x: {
    id: string;
    record: BuildRecord;
    plannedBefore: boolean;
    parsed: ReturnType<typeof parseBuildRequest>;
    adapter: ForgeAdapter | undefined;
    sink: LogSink;
    writer: RecordWriter;
    controller: AbortController;
    admit: NonNullable<BuildRun['admit']>;
  },
): Promise<(r: BuildRecord) => BuildRecord> {
  const { parsed, adapter, writer, controller } = x;
  try {
    if (!parsed.ok) throw new BerthError(`invalid build request: ${parsed.message}`, notRetryable);
    if (!adapter) throw new BerthError(`forge '${parsed.request.forge}' is not enabled`, notRetryable);
    controller.signal.throwIfAborted();
    const { reuseFrom } = parsed.request;
    const earlier = reuseFrom ? await deps.store.get(reuseFrom) : null;
    const result = await deps.runner({
      id: x.id,
      buildRef: x.record.buildRef,
      request: parsed.request,
      ...(x.plannedBefore ? { plannedBefore: true } : {}),
      earlier,
      adapter,
      sink: x.sink,
      signal: controller.signal,
      admit: x.admit,
      onSource: (sha) => writer.change((r) => ({ ...r, sha })),
      onPlan: (plan) => writer.change((r) => withPlan(r, plan)),
      onEvent: (event) => {
        // A build being handed back keeps its record as it was; the next worker starts it again.
        if (event.type === 'build-finished' || controller.signal.reason instanceof HandBackError) return;
        writer.change((r) => applyEvent(r, event));
      },
    });
    return (r) => applyEvent(r, { type: 'build-finished', result });
  } catch (error) {
    const outcome = outcomeOf(error, controller.signal);
    const at = isoNow(deps.now);
    return (r) => ended(r, outcome, at);
  }
}

async function reportOnce(
  adapter: ForgeAdapter | undefined,
  record: BuildRecord,
  log: Logger,
): Promise<void> {
  try {
    await adapter?.reporter.report(record);
  } catch (err) {
    log.warn({ err, id: record.id }, 'reporting build status failed');
  }
}

const isoNow = (clock?: () => number) => new Date((clock ?? Date.now)()).toISOString();

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

/** Thrown by admit: the build waits for slots; its job is parked until they free. */
class ParkedError extends Error {
  constructor() {
    super('waiting for slots');
  }
}
