import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ReasonClass } from '../../vocab/index.ts';
import { TRANSIENT_PULL } from '../transient-pull.ts';
import { CONTAINERS } from './names.ts';

/** A condition that ends the step without a normal exit, with the kubelet's own words. */
export interface Fatal {
  reason: ReasonClass;
  message: string;
  exitCode?: number;
  /** Running the step again may succeed (see StepOutcome). */
  retryable?: boolean;
}

/** What one watch update says about a step pod. */
export interface PodReading {
  fatal: Fatal | null;
  /** The step container's exit, once `state.terminated` is filled in (never read from the phase). */
  exit: { exitCode: number; reason: string | null; message: string | null } | null;
  /** The init container is running: the source can be streamed in. */
  sourceAwaited: boolean;
  /** The init container finished: the source is in place. */
  sourceDone: boolean;
  /** The step container left `waiting`: its log can be followed. */
  stepStarted: boolean;
  /** Scheduler's message while the pod cannot be placed. */
  unschedulable: string | null;
  /** Something looks stuck (worth fetching Warning events for). */
  troubled: boolean;
}

const WAITING_FATAL: Record<string, ReasonClass> = {
  ErrImagePull: 'image',
  ImagePullBackOff: 'image',
  InvalidImageName: 'image',
  ErrImageNeverPull: 'image',
  CreateContainerConfigError: 'config',
  CreateContainerError: 'config',
  RunContainerError: 'user',
  CrashLoopBackOff: 'user',
};

const NORMAL_WAITING = new Set(['ContainerCreating', 'PodInitializing']);

const describe = (reason: string | undefined, message: string | undefined, fallback: string): string =>
  [reason, message].filter(Boolean).join(': ') || fallback;

/** Reads a pod update; `null` means the pod is gone. `deleting` = Berth itself asked for deletion. */
export function readPod(pod: V1Pod | null, deleting: boolean): PodReading {
  const reading: PodReading = {
    fatal: null,
    exit: null,
    sourceAwaited: false,
    sourceDone: false,
    stepStarted: false,
    unschedulable: null,
    troubled: false,
  };
  if (!pod) {
    if (!deleting)
      reading.fatal = { reason: 'infrastructure', message: 'the pod was deleted by someone else' };
    return reading;
  }
  const status = pod.status ?? {};
  const init = status.initContainerStatuses?.find((s) => s.name === CONTAINERS.source);
  const step = status.containerStatuses?.find((s) => s.name === CONTAINERS.step);
  reading.sourceAwaited = init?.state?.running !== undefined;
  reading.sourceDone = init?.state?.terminated?.exitCode === 0;
  reading.stepStarted = step?.state !== undefined && step.state.waiting === undefined;
  const terminated = step?.state?.terminated;
  if (terminated) {
    reading.exit = {
      exitCode: terminated.exitCode,
      reason: terminated.reason ?? null,
      message: terminated.message ?? null,
    };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    reading.unschedulable = scheduled.message ?? 'the pod cannot be scheduled';
  }
  reading.fatal = podFatal(pod, deleting) ?? containerFatal(init, step);
  reading.troubled =
    reading.unschedulable !== null ||
    [init, step].some((s) => s?.state?.waiting?.reason && !NORMAL_WAITING.has(s.state.waiting.reason));
  return reading;
}

function podFatal(pod: V1Pod, deleting: boolean): Fatal | null {
  const status = pod.status ?? {};
  if (status.reason === 'Evicted') {
    return { reason: 'infrastructure', message: describe('Evicted', status.message, 'the pod was evicted') };
  }
  if (status.reason === 'DeadlineExceeded') {
    return {
      reason: 'timeout',
      message: describe('DeadlineExceeded', status.message, 'activeDeadlineSeconds passed'),
    };
  }
  const step = status.containerStatuses?.find((s) => s.name === CONTAINERS.step);
  if (step?.state?.terminated) return null;
  const disruption = status.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (disruption) {
    return {
      reason: 'infrastructure',
      message: describe(
        disruption.reason ?? 'DisruptionTarget',
        disruption.message,
        'the pod is being disrupted',
      ),
    };
  }
  if (pod.metadata?.deletionTimestamp && !deleting) {
    return { reason: 'infrastructure', message: 'the pod was deleted by someone else' };
  }
  return null;
}

function containerFatal(
  init: V1ContainerStatus | undefined,
  step: V1ContainerStatus | undefined,
): Fatal | null {
  for (const status of [init, step]) {
    const waiting = status?.state?.waiting;
    const reason = waiting?.reason;
    if (reason && WAITING_FATAL[reason]) {
      const fatal: Fatal = {
        reason: WAITING_FATAL[reason],
        message: describe(reason, waiting.message, reason),
      };
      if (fatal.reason === 'image' && TRANSIENT_PULL.test(waiting.message ?? '')) fatal.retryable = true;
      return fatal;
    }
  }
  const initExit = init?.state?.terminated;
  if (initExit && initExit.exitCode !== 0) {
    return {
      reason: 'infrastructure',
      message: describe(
        'source upload failed',
        initExit.message ?? initExit.reason,
        `exit code ${initExit.exitCode}`,
      ),
    };
  }
  const exit = step?.state?.terminated;
  if (exit?.reason === 'OOMKilled') {
    return {
      reason: 'user',
      message: describe('OOMKilled', exit.message ?? 'the step exceeded its memory limit', 'OOMKilled'),
      exitCode: exit.exitCode,
    };
  }
  if (exit && (exit.reason === 'StartError' || exit.reason === 'ContainerCannotRun')) {
    return {
      reason: 'user',
      message: describe(exit.reason, exit.message, exit.reason),
      exitCode: exit.exitCode,
    };
  }
  return null;
}
