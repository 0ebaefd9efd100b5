/**
 * Scripted images: an image name picks a failure timeline instead of running the command.
 *
 * - `…/does-not-exist` (any registry/path ending so): waiting ErrImagePull, then ImagePullBackOff, cycling;
 *   Normal Pulling/BackOff and Warning Failed events with the kubelet's messages. Never starts.
 * - `berth.test/unschedulable`: PodScheduled False, reason Unschedulable, FailedScheduling event. Never starts.
 * - `berth.test/invalid:…` (any name starting so): waiting InvalidImageName, InspectFailed event.
 * - `berth.test/create-error`: waiting CreateContainerError with a runtime message.
 * - `berth.test/oom`: runs the command, then terminated reason OOMKilled exit 137 (as if killed).
 * - `berth.test/evicted`: running, then pod phase Failed, reason Evicted, with the eviction message.
 * - `berth.test/evicted-once`: the first pod of a step (same build/stage/step labels) is evicted as
 *   `berth.test/evicted`; every later pod of that step runs the command normally.
 * - `berth.test/crashloop`: running, exits 1, waiting CrashLoopBackOff with lastState terminated; repeats.
 * - `berth.test/succeeded-early`: runs the command, but the pod phase turns Succeeded/Failed one
 *   update BEFORE the container's terminated state is filled in.
 * - `berth.test/disruption`: running, then condition DisruptionTarget=True, then phase Failed (exit 137).
 * Any other image runs the container's command as a local process.
 */

import { containerId, now, setCondition } from './pod-status.ts';
import type { SimulatedPod } from './simulated-pod.ts';
import type { ContainerJson } from './types.ts';

/** A scripted timeline for one container. */
export interface ImageScript {
  kind: string;
  run(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number>;
}

/** The script an image name selects, or undefined for a normal image. */
export function scriptFor(image: string | undefined): ImageScript | undefined {
  if (!image) return undefined;
  const repository = image.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  if (repository.endsWith('/does-not-exist')) return { kind: 'pull-error', run: pullError };
  if (image.startsWith('berth.test/invalid')) return { kind: 'invalid', run: invalidName };
  const scripts: Record<string, ImageScript['run']> = {
    'berth.test/unschedulable': async () => 0,
    'berth.test/create-error': createError,
    'berth.test/oom': (sim, container, init) => sim.runContainer(container, init, { oomKilled: true }),
    'berth.test/evicted': evicted,
    'berth.test/evicted-once': evictedOnce,
    'berth.test/crashloop': crashLoop,
    'berth.test/succeeded-early': (sim, container, init) =>
      sim.runContainer(container, init, { early: true }),
    'berth.test/disruption': disruption,
  };
  const run = scripts[repository];
  return run ? { kind: repository.slice('berth.test/'.length), run } : undefined;
}

async function pullError(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  const image = container.image ?? '';
  const reference = image.includes(':') ? image : `${image}:latest`;
  const cause = `rpc error: code = NotFound desc = failed to pull and unpack image "${reference}": failed to resolve reference "${reference}": ${reference}: not found`;
  for (;;) {
    sim.event('Normal', 'Pulling', `Pulling image "${image}"`, container, init);
    sim.event('Warning', 'Failed', `Failed to pull image "${image}": ${cause}`, container, init);
    sim.event('Warning', 'Failed', 'Error: ErrImagePull', container, init);
    sim.setState(container, init, {
      waiting: { reason: 'ErrImagePull', message: `Failed to pull image "${image}": ${cause}` },
    });
    await sim.tick(3);
    const backOff = `Back-off pulling image "${image}"`;
    sim.event('Normal', 'BackOff', backOff, container, init);
    sim.event('Warning', 'Failed', 'Error: ImagePullBackOff', container, init);
    sim.setState(container, init, { waiting: { reason: 'ImagePullBackOff', message: backOff } });
    await sim.tick(30);
  }
}

async function invalidName(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  const image = container.image ?? '';
  const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
  sim.event('Warning', 'InspectFailed', message, container, init);
  sim.event('Warning', 'Failed', 'Error: InvalidImageName', container, init);
  sim.setState(container, init, { waiting: { reason: 'InvalidImageName', message } });
  for (;;) await sim.tick(100);
}

async function createError(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  const message = `failed to generate container "${containerId().slice(13)}" spec: failed to generate spec: failed to mkdir "/var/lib/kubelet/pods/${sim.uid}/volume-subpaths": mkdir: read-only file system`;
  sim.event(
    'Normal',
    'Pulled',
    `Container image "${container.image}" already present on machine`,
    container,
    init,
  );
  sim.event('Warning', 'Failed', `Error: ${message}`, container, init);
  sim.setState(container, init, { waiting: { reason: 'CreateContainerError', message } });
  for (;;) await sim.tick(100);
}

/** Pulled/Created/Started events and a running state; returns startedAt. */
async function startScripted(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<string> {
  sim.event(
    'Normal',
    'Pulled',
    `Container image "${container.image}" already present on machine`,
    container,
    init,
  );
  sim.event('Normal', 'Created', `Created container: ${container.name}`, container, init);
  sim.event('Normal', 'Started', `Started container ${container.name}`, container, init);
  const startedAt = now();
  sim.setState(container, init, { running: { startedAt } }, { containerID: containerId() });
  await sim.tick();
  return startedAt;
}

async function evicted(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  await startScripted(sim, container, init);
  const message = `The node was low on resource: memory. Threshold quantity: 100Mi, available: 42Mi. Container ${container.name} was using 1843Mi, request is 0, has larger consumption of memory. `;
  sim.event('Warning', 'Evicted', message);
  await sim.fail({ phase: 'Failed', reason: 'Evicted', message });
  return 137;
}

async function evictedOnce(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  const labels = sim.pod().metadata.labels ?? {};
  const step = ['berth.dev/build', 'berth.dev/stage', 'berth.dev/step'].map((key) => labels[key]).join('/');
  if (init || sim.deps.evictedOnce.has(step)) return sim.runContainer(container, init, { plain: true });
  sim.deps.evictedOnce.add(step);
  return evicted(sim, container, init);
}

async function disruption(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  await startScripted(sim, container, init);
  sim.update((pod) =>
    setCondition(
      pod.status,
      'DisruptionTarget',
      'True',
      'DeletionByTaintManager',
      'Taint manager: deleting due to NoExecute taint',
    ),
  );
  await sim.tick();
  await sim.fail({ phase: 'Failed' });
  return 137;
}

async function crashLoop(sim: SimulatedPod, container: ContainerJson, init: boolean): Promise<number> {
  for (let restarts = 0; ; restarts++) {
    const startedAt = await startScripted(sim, container, init);
    const lastState = { terminated: { exitCode: 1, reason: 'Error', startedAt, finishedAt: now() } };
    const message = `back-off 10s restarting failed container=${container.name} pod=${sim.name}_${sim.namespace}(${sim.uid})`;
    sim.setState(
      container,
      init,
      { waiting: { reason: 'CrashLoopBackOff', message } },
      { lastState, restartCount: restarts + 1 },
    );
    sim.event(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${container.name} in pod ${sim.name}_${sim.namespace}(${sim.uid})`,
      container,
      init,
    );
    await sim.tick(10);
  }
}
