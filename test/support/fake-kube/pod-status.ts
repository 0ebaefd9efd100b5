import { randomBytes } from 'node:crypto';
import type {
  ContainerJson,
  ContainerStateJson,
  ContainerStatusJson,
  PodJson,
  PodStatusJson,
} from './types.ts';

/** A pod-level outcome that overrides the phase computed from containers (Evicted, DeadlineExceeded…). */
export interface TerminalOverride {
  phase: 'Succeeded' | 'Failed';
  reason?: string;
  message?: string;
}

/** RFC3339 with seconds, as the API serialises metav1.Time. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A containerd-style container id. */
export function containerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

/** A fresh container status in the given state. */
export function containerStatus(container: ContainerJson, state: ContainerStateJson): ContainerStatusJson {
  return {
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state,
    lastState: {},
  };
}

/** Find one container's status (init or app) on a pod. */
export function findStatus(pod: PodJson, name: string, init: boolean): ContainerStatusJson | undefined {
  const list = init ? pod.status.initContainerStatuses : pod.status.containerStatuses;
  return list?.find((status) => status.name === name);
}

/** Set or replace a pod condition (the transition time moves only when the status flips). */
export function setCondition(
  status: PodStatusJson,
  type: string,
  value: 'True' | 'False',
  reason?: string,
  message?: string,
): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((condition) => condition.type === type);
  const next = {
    type,
    status: value,
    lastProbeTime: null,
    lastTransitionTime: existing && existing.status === value ? existing.lastTransitionTime : now(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  status.conditions = existing
    ? conditions.map((condition) => (condition === existing ? next : condition))
    : [...conditions, next];
}

/** Derive phase, Initialized/Ready/ContainersReady from the container statuses, as the kubelet does. */
export function recompute(pod: PodJson, override: TerminalOverride | undefined): void {
  const status = pod.status;
  const init = status.initContainerStatuses ?? [];
  const app = status.containerStatuses ?? [];
  for (const entry of [...init, ...app]) {
    entry.ready = entry.state.running !== undefined && !init.includes(entry);
    entry.started = entry.state.running !== undefined;
  }
  const pendingInit = init
    .filter((entry) => entry.state.terminated?.exitCode !== 0)
    .map((entry) => entry.name);
  if (pendingInit.length === 0) setCondition(status, 'Initialized', 'True');
  else
    setCondition(
      status,
      'Initialized',
      'False',
      'ContainersNotInitialized',
      `containers with incomplete status: [${pendingInit.join(' ')}]`,
    );
  const unready = app.filter((entry) => !entry.ready).map((entry) => entry.name);
  const allDone = app.length > 0 && app.every((entry) => entry.state.terminated);
  for (const type of ['Ready', 'ContainersReady']) {
    if (unready.length === 0) setCondition(status, type, 'True');
    else if (allDone) setCondition(status, type, 'False', 'PodCompleted');
    else
      setCondition(
        status,
        type,
        'False',
        'ContainersNotReady',
        `containers with unready status: [${unready.join(' ')}]`,
      );
  }
  status.phase = override?.phase ?? computePhase(init, app);
  if (override?.reason) status.reason = override.reason;
  if (override?.message) status.message = override.message;
}

function computePhase(init: ContainerStatusJson[], app: ContainerStatusJson[]): string {
  if (init.some((entry) => (entry.state.terminated?.exitCode ?? 0) !== 0)) return 'Failed';
  if (app.length > 0 && app.every((entry) => entry.state.terminated)) {
    return app.every((entry) => entry.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  if (app.some((entry) => entry.state.running || entry.state.terminated || entry.restartCount > 0))
    return 'Running';
  return 'Pending';
}
