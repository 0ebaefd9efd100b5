import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PlannedStep } from '../../pipeline/types.ts';
import { SchedulingTimeoutError, StepTimeoutError } from '../../stop-reasons.ts';
import { settlesWithin } from '../../within.ts';
import type { StepIO, StepOutcome } from '../types.ts';
import { type ApiRequestCounter, backoffMs, httpStatusOf, sleep, withSignal } from './api.ts';
import { type Fatal, readPod } from './classifier.ts';
import type { WarningEvents } from './events.ts';
import { uploadArchive } from './exec-upload.ts';
import { followLog, type LogFollower } from './log-follower.ts';
import { CONTAINERS } from './names.ts';
import type { PodWatch } from './pod-watch.ts';

/** What a step run needs from its session. */
export interface StepRunContext {
  core: CoreV1Api;
  kubeConfig: KubeConfig;
  namespace: string;
  watch: PodWatch;
  events: WarningEvents;
  logger: Logger;
  schedulingMs: number;
  logCapBytes: number | null;
  /** Upper bound on waiting for a finished container's log to reach EOF. */
  logGraceMs: number;
  count: ApiRequestCounter;
  /** Deletes the pod (tracked by the session, so cleanup can wait for it). */
  deletePod(name: string, immediately: boolean): Promise<void>;
}

/** How long a failed upload waits for the watch to show the source arrived anyway. */
const UPLOAD_SETTLE_MS = 300;

/** The message of a failed API call: the v1.Status message when there is one. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  const own = (error as { message?: unknown } | null)?.message;
  return typeof own === 'string' ? (own.split('\n')[0] ?? own) : String(error);
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * Runs one step as one pod: create (409 adopts), stream the source in when the init
 * container runs, follow the log when the step container starts, finish on its
 * terminated state or a classified fatal condition, then delete after the log's EOF.
 */
export async function runStepPod(
  context: StepRunContext,
  pod: V1Pod,
  step: PlannedStep,
  archive: Buffer,
  io: StepIO,
  signal: AbortSignal,
): Promise<StepOutcome> {
  const name = pod.metadata?.name ?? '';
  const log = context.logger.child({ pod: name });
  let settle: (outcome: StepOutcome) => void = () => {};
  const outcome = new Promise<StepOutcome>((resolve) => {
    settle = resolve;
  });
  let ended = false;
  let exited: () => void = () => {};
  const terminated = new Promise<void>((resolve) => {
    exited = resolve;
  });
  const uploads = new AbortController();
  let uploading = false;
  let follower: LogFollower | null = null;
  let schedulingTimer: NodeJS.Timeout | undefined;
  let sourceDone = false;
  const finish = (result: StepOutcome): void => {
    if (ended) return;
    ended = true;
    settle(result);
  };
  const fail = (fatal: Fatal): void =>
    finish(
      // The pod's own deadline (activeDeadlineSeconds) is a step timeout like the engine's.
      fatal.reason === 'timeout'
        ? { status: 'stopped', stop: new StepTimeoutError(fatal.message) }
        : {
            status: 'error',
            reason: fatal.reason,
            message: fatal.message,
            ...(fatal.exitCode !== undefined ? { exitCode: fatal.exitCode } : {}),
            ...(fatal.retryable !== undefined ? { retryable: fatal.retryable } : {}),
          },
    );

  const onUpdate = (current: V1Pod | null): void => {
    const reading = readPod(current, false);
    if (reading.exit !== null || current === null) exited();
    if (ended) return;
    sourceDone ||= reading.sourceDone || reading.stepStarted;
    if (reading.troubled) context.events.ensureStarted();
    if (reading.unschedulable !== null && schedulingTimer === undefined) {
      io.output.line('system', `Unschedulable: ${reading.unschedulable}`);
      const message = reading.unschedulable;
      schedulingTimer = setTimeout(
        () => finish({ status: 'stopped', stop: new SchedulingTimeoutError(`Unschedulable: ${message}`) }),
        context.schedulingMs,
      );
    }
    if (current?.spec?.nodeName && schedulingTimer !== undefined) clearTimeout(schedulingTimer);
    if (reading.sourceAwaited && !uploading) {
      uploading = true;
      void upload();
    }
    if (reading.stepStarted && !follower) follower = startFollower();
    if (reading.fatal) fail(reading.fatal);
    else if (reading.exit) {
      const { exitCode } = reading.exit;
      finish(
        exitCode === 0
          ? { status: 'success', exitCode: 0 }
          : { status: 'failed', exitCode, message: `exit code ${exitCode}` },
      );
    }
  };

  const startFollower = (draining = false): LogFollower =>
    followLog({
      draining,
      kubeConfig: context.kubeConfig,
      namespace: context.namespace,
      pod: name,
      container: CONTAINERS.step,
      output: io.output,
      capBytes: context.logCapBytes,
      terminated,
      logger: log,
      count: context.count,
    });

  const upload = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await uploadArchive({
          kubeConfig: context.kubeConfig,
          namespace: context.namespace,
          pod: name,
          container: CONTAINERS.source,
          archive,
          targetDir: step.repoDir,
          signal: uploads.signal,
          count: context.count,
        });
        return;
      } catch (error) {
        // The exec's status can be lost when the init container ends first: trust the watch.
        await sleep(UPLOAD_SETTLE_MS, uploads.signal);
        if (uploads.signal.aborted || ended || sourceDone) return;
        if (attempt >= 4) {
          return fail({
            reason: 'infrastructure',
            message: `streaming the source in failed: ${apiMessage(error)}`,
          });
        }
        log.warn({ err: error }, 'source upload failed, retrying');
        await sleep(backoffMs(attempt, 200), uploads.signal);
      }
    }
  };

  const onAbort = (): void => finish({ status: 'cancelled', message: 'the step was cancelled' });
  const unregisterEvents = context.events.register(name, io.output);
  const unsubscribe = context.watch.subscribe(name, onUpdate);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  const created = createPod(context, pod, signal).then((answer) => {
    if (!answer.created && answer.problem) fail(answer.problem);
    return answer.created;
  });

  const result = await outcome;
  signal.removeEventListener('abort', onAbort);
  clearTimeout(schedulingTimer);
  uploads.abort();
  const normalEnd = result.status === 'success' || result.status === 'failed';
  // A create still in flight may yet make the pod: delete only once it has answered.
  const podExists = await created;
  // Stopped before the watch showed the step start (fail-fast right after an instant
  // exit): what the container already wrote is still read, within the drain bound below.
  if (!normalEnd && !follower && podExists) follower = startFollower(true);
  if (normalEnd && follower) {
    await settlesWithin((follower as LogFollower).done, context.logGraceMs);
    if (!(follower as LogFollower).complete) {
      // Never a silent loss: say so when the pod goes before its log was read to the end.
      log.warn({ graceMs: context.logGraceMs }, 'deleting the pod before its log stream ended');
      io.output.line(
        'system',
        `[berth] the log may be incomplete: its stream did not end within ${context.logGraceMs} ms of the container's exit`,
      );
    }
  }
  const deleted = context.deletePod(name, !normalEnd);
  if (!normalEnd && follower)
    await settlesWithin((follower as LogFollower).done, Math.min(context.logGraceMs, 2000));
  (follower as LogFollower | null)?.stop();
  unsubscribe();
  unregisterEvents();
  if (result.status === 'cancelled') await deleted;
  return result;
}

/** Bound on one create request; it is never aborted by the step, so its answer is known before delete. */
const CREATE_REQUEST_MS = 30_000;

/**
 * Creates the pod; 409 adopts the existing one. Returns a fatal problem, or null. A
 * cancelled step stops retrying but lets a request in flight finish, so the caller's
 * delete cannot overtake it and leave a pod behind.
 */
/** Whether the pod exists (made now, or adopted on 409), or why it could not be made. */
type Created = { created: true } | { created: false; problem: Fatal | null };

async function createPod(context: StepRunContext, pod: V1Pod, signal: AbortSignal): Promise<Created> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      context.count('create');
      await context.core.createNamespacedPod(
        { namespace: context.namespace, body: pod },
        withSignal(AbortSignal.timeout(CREATE_REQUEST_MS)),
      );
      return { created: true };
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 409) return { created: true };
      if (signal.aborted) return { created: false, problem: null };
      const retryable = status === null || status === 429 || status >= 500;
      if (!retryable)
        return {
          created: false,
          problem: { reason: 'config', message: `the pod was rejected: ${apiMessage(error)}` },
        };
      if (attempt >= 5) {
        const message = `creating the pod failed: ${apiMessage(error)}`;
        return { created: false, problem: { reason: 'infrastructure', message } };
      }
      context.logger.warn({ err: error, attempt }, 'creating a pod failed, retrying');
      await sleep(backoffMs(attempt, 200), signal);
    }
  }
  return { created: false, problem: null };
}
