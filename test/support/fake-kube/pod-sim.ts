import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerLog } from './container-log.ts';
import { type ContainerProcess, startContainerProcess } from './container-process.ts';
import type { EventRecorder } from './events.ts';
import { ConfigError, type ConfigSources, expand, resolveEnv } from './expand.ts';
import { containerIdentity } from './identity.ts';
import { scriptFor } from './images.ts';
import {
  containerId,
  containerStatus,
  findStatus,
  now,
  recompute,
  setCondition,
  type TerminalOverride,
} from './pod-status.ts';
import type { SimulatedPod } from './simulated-pod.ts';
import type { ResourceStore } from './store.ts';
import type { ContainerJson, ContainerStateJson, ContainerStatusJson, PodJson } from './types.ts';
import { containerMounts, MountError, prepareVolumes } from './volumes.ts';

/** What a pod simulation needs from the fake. */
export interface SimDeps {
  pods: ResourceStore;
  events: EventRecorder;
  sources: ConfigSources;
  tickMs: number;
  rootDir: string;
  /** Steps (`build/stage/step` labels) a `berth.test/evicted-once` pod was already evicted for. */
  evictedOnce: Set<string>;
}

/** One running container of the simulation. */
interface RunningContainer {
  log: ContainerLog;
  process?: ContainerProcess;
}

/** How long the kubelet waits between retries of a failed container config or mount, in ticks. */
const RETRY_TICKS = 20;

/** The kubelet's life of one pod: schedule, mount, init containers in order, app containers, end. */
export class PodSim implements SimulatedPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly dir: string;
  readonly containers = new Map<string, RunningContainer>();
  readonly deps: SimDeps;
  readonly aborter = new AbortController();
  private override: TerminalOverride | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(pod: PodJson, deps: SimDeps) {
    this.namespace = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name ?? '';
    this.uid = pod.metadata.uid ?? '';
    this.dir = join(deps.rootDir, this.uid);
    this.deps = deps;
  }

  /** The pod as stored now. */
  pod(): PodJson {
    return this.deps.pods.get(this.namespace, this.name) as PodJson;
  }

  /** Change the pod's status (one MODIFIED event), then derive phase and conditions. */
  update(mutate: (pod: PodJson) => void): void {
    if (!this.deps.pods.find(this.namespace, this.name)) return;
    this.deps.pods.update(this.namespace, this.name, (object) => {
      const pod = object as PodJson;
      mutate(pod);
      recompute(pod, this.override);
    });
  }

  /** Wait `count` kubelet ticks; rejects once the simulation is stopped. */
  tick(count = 1): Promise<void> {
    return sleep(this.deps.tickMs * count, undefined, { signal: this.aborter.signal });
  }

  /** Record an event about this pod (or one of its containers). */
  event(
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    container?: ContainerJson,
    init = false,
  ): void {
    const options = container ? { container: container.name, init } : {};
    this.deps.events.record(this.pod(), type, reason, message, options);
  }

  /** Set one container's state (and optionally restartCount / lastState). */
  setState(
    container: ContainerJson,
    init: boolean,
    state: ContainerStateJson,
    extra: Partial<ContainerStatusJson> = {},
  ) {
    this.update((pod) => {
      const status = findStatus(pod, container.name, init);
      if (status) Object.assign(status, { ...extra, state });
    });
  }

  /** Run the whole timeline; returns when the pod reached its end or the simulation was stopped. */
  async run(): Promise<void> {
    try {
      await this.tick();
      if (!(await this.schedule())) return;
      await this.tick();
      this.initialize();
      await this.mountVolumes();
      const spec = this.pod().spec;
      for (const container of spec.initContainers ?? []) {
        if ((await this.runContainer(container, true)) !== 0) return;
      }
      await Promise.all(spec.containers.map((container) => this.runContainer(container, false)));
    } catch (error) {
      if (!this.aborter.signal.aborted) throw error;
    } finally {
      if (!this.aborter.signal.aborted) clearTimeout(this.deadline);
    }
  }

  private async schedule(): Promise<boolean> {
    const spec = this.pod().spec;
    const unschedulable = [...(spec.initContainers ?? []), ...spec.containers].some(
      (container) => scriptFor(container.image)?.kind === 'unschedulable',
    );
    if (unschedulable) {
      const message =
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
      this.update((pod) => setCondition(pod.status, 'PodScheduled', 'False', 'Unschedulable', message));
      this.deps.events.record(this.pod(), 'Warning', 'FailedScheduling', message, {
        source: 'default-scheduler',
      });
      return false;
    }
    this.update((pod) => {
      pod.spec.nodeName = 'fake-node';
      setCondition(pod.status, 'PodScheduled', 'True');
    });
    const message = `Successfully assigned ${this.namespace}/${this.name} to fake-node`;
    this.deps.events.record(this.pod(), 'Normal', 'Scheduled', message, { source: 'default-scheduler' });
    return true;
  }

  private initialize(): void {
    this.update((pod) => {
      const hasInit = (pod.spec.initContainers ?? []).length > 0;
      const waiting = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
      pod.status.startTime = now();
      pod.status.hostIP = '10.0.0.1';
      pod.status.podIP = `10.244.0.${(Number.parseInt(this.uid.slice(0, 2), 16) % 250) + 2}`;
      setCondition(pod.status, 'PodReadyToStartContainers', 'True');
      if (hasInit) {
        pod.status.initContainerStatuses = (pod.spec.initContainers ?? []).map((container) =>
          containerStatus(container, { waiting: { reason: 'PodInitializing' } }),
        );
      }
      pod.status.containerStatuses = pod.spec.containers.map((container) =>
        containerStatus(container, waiting),
      );
    });
    const seconds = this.pod().spec.activeDeadlineSeconds;
    if (seconds !== undefined) {
      this.deadline = setTimeout(() => {
        const message = 'Pod was active on the node longer than the specified deadline';
        this.event('Normal', 'DeadlineExceeded', message);
        void this.fail({ phase: 'Failed', reason: 'DeadlineExceeded', message });
      }, seconds * 1000);
    }
  }

  private async mountVolumes(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    for (;;) {
      try {
        prepareVolumes(this.pod(), this.dir, this.deps.sources);
        return;
      } catch (error) {
        if (!(error instanceof MountError)) throw error;
        this.event('Warning', 'FailedMount', error.message);
        await this.tick(RETRY_TICKS);
      }
    }
  }

  /** Run one container to its end; returns its exit code. */
  async runContainer(
    container: ContainerJson,
    init: boolean,
    options: { early?: boolean; oomKilled?: boolean; plain?: boolean } = {},
  ): Promise<number> {
    const script = scriptFor(container.image);
    const scripted = !options.early && !options.oomKilled && !options.plain;
    if (script && script.kind !== 'unschedulable' && scripted) return script.run(this, container, init);
    const env = await this.resolveEnvWithRetry(container, init);
    this.event(
      'Normal',
      'Pulled',
      `Container image "${container.image}" already present on machine`,
      container,
      init,
    );
    const log = new ContainerLog();
    const argv = containerArgv(container).map((arg) => expand(arg, env));
    const process = startContainerProcess({
      argv,
      env,
      mounts: containerMounts(this.pod(), container, this.dir),
      identity: containerIdentity(this.pod(), container),
      workingDir: container.workingDir,
      hostname: this.name,
      log,
    });
    this.containers.set(container.name, { log, process });
    const id = containerId();
    const started = await process.started;
    if (!started.ok) return this.startFailed(container, init, started.message, id);
    this.event('Normal', 'Created', `Created container: ${container.name}`, container, init);
    this.event('Normal', 'Started', `Started container ${container.name}`, container, init);
    const startedAt = now();
    this.setState(container, init, { running: { startedAt } }, { containerID: id });
    const exitCode = await abortable(process.exited, this.aborter.signal);
    if (options.early) {
      this.override = { phase: exitCode === 0 ? 'Succeeded' : 'Failed' };
      this.update(() => {});
      await this.tick();
    }
    const code = options.oomKilled ? 137 : exitCode;
    const reason = options.oomKilled ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error';
    const message = code !== 0 ? fallbackMessage(container, log) : undefined;
    this.setState(container, init, {
      terminated: {
        exitCode: code,
        reason,
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: now(),
        containerID: id,
      },
    });
    return code;
  }

  private startFailed(container: ContainerJson, init: boolean, message: string, id: string): number {
    this.event('Warning', 'Failed', `Error: ${message}`, container, init);
    const at = now();
    this.setState(container, init, {
      terminated: {
        exitCode: 128,
        reason: 'StartError',
        message,
        startedAt: at,
        finishedAt: at,
        containerID: id,
      },
    });
    return 128;
  }

  private async resolveEnvWithRetry(container: ContainerJson, init: boolean): Promise<Map<string, string>> {
    for (;;) {
      try {
        return resolveEnv(this.pod(), container, this.deps.sources);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        this.setState(container, init, {
          waiting: { reason: 'CreateContainerConfigError', message: error.message },
        });
        this.event('Warning', 'Failed', `Error: ${error.message}`, container, init);
        await this.tick(RETRY_TICKS);
      }
    }
  }

  /** End the pod with a pod-level outcome: stop the timeline, kill every process, running containers exit 137. */
  async fail(override: TerminalOverride): Promise<void> {
    this.override = override;
    await this.stop('SIGKILL', 0);
    this.update((pod) => terminateRunning(pod, () => 137));
  }

  /** Stop the timeline and the processes: `signal` now, SIGKILL after `graceSeconds`. */
  async stop(signal: NodeJS.Signals, graceSeconds: number): Promise<void> {
    this.aborter.abort();
    clearTimeout(this.deadline);
    const processes = [...this.containers.values()].flatMap((entry) =>
      entry.process ? [entry.process] : [],
    );
    for (const process of processes) {
      if (signal === 'SIGKILL') process.kill();
      else process.signal(signal);
    }
    const killer = setTimeout(() => {
      for (const process of processes) process.kill();
    }, graceSeconds * 1000);
    await Promise.all(processes.map((process) => process.exited));
    clearTimeout(killer);
  }

  /** Publish the exit codes of processes ended by a stop (for the last status of a deleted pod). */
  async finalStatus(): Promise<void> {
    const codes = new Map<string, number>();
    for (const [name, entry] of this.containers)
      if (entry.process) codes.set(name, await entry.process.exited);
    this.update((pod) => terminateRunning(pod, (name) => codes.get(name) ?? 137));
  }

  /** Remove the pod's folder (after every process has ended). */
  removeFiles(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** command + args; with neither, the image's default command, taken to be `sh` (as in alpine/busybox). */
function containerArgv(container: ContainerJson): string[] {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  return argv.length > 0 ? argv : ['sh'];
}

function terminateRunning(pod: PodJson, exitCode: (name: string) => number): void {
  for (const status of [
    ...(pod.status.initContainerStatuses ?? []),
    ...(pod.status.containerStatuses ?? []),
  ]) {
    const running = status.state.running;
    if (!running) continue;
    status.state = {
      terminated: {
        exitCode: exitCode(status.name),
        reason: 'Error',
        startedAt: running.startedAt,
        finishedAt: now(),
        ...(status.containerID ? { containerID: status.containerID } : {}),
      },
    };
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    }, reject);
  });
}

/**
 * The kubelet's `FallbackToLogsOnError`: a failed container that wrote no termination
 * message gets the tail of its log (at most 80 lines and 2048 bytes) as its message.
 */
function fallbackMessage(container: ContainerJson, log: ContainerLog): string | undefined {
  if (container.terminationMessagePolicy !== 'FallbackToLogsOnError') return undefined;
  const tail = log.lines
    .slice(-80)
    .map((line) => line.text)
    .join('');
  const bytes = Buffer.from(tail);
  return bytes.length > 2048 ? bytes.subarray(bytes.length - 2048).toString('utf8') : tail || undefined;
}
