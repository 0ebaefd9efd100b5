import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ContainerState, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { readPod } from '../../../src/runtime/kubernetes/classifier.ts';

function pod(options: {
  init?: V1ContainerState;
  step?: V1ContainerState;
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: V1PodCondition[];
  deleting?: boolean;
}): V1Pod {
  const status = (name: string, state: V1ContainerState) => ({
    name,
    image: 'x',
    imageID: '',
    ready: false,
    restartCount: 0,
    state,
  });
  return {
    metadata: {
      name: 'p',
      namespace: 'ci',
      ...(options.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status: {
      phase: options.phase ?? 'Pending',
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.message ? { message: options.message } : {}),
      conditions: options.conditions ?? [],
      initContainerStatuses: options.init ? [status('berth-source', options.init)] : [],
      containerStatuses: options.step ? [status('step', options.step)] : [],
    },
  };
}

const waiting = (reason: string, message?: string): V1ContainerState => ({
  waiting: { reason, ...(message ? { message } : {}) },
});
const exited = (exitCode: number, reason = 'Completed'): V1ContainerState => ({
  terminated: { exitCode, reason, startedAt: new Date(), finishedAt: new Date() },
});

test('image pull failures are fatal with the kubelet message', () => {
  const message = 'Back-off pulling image "registry.example/does-not-exist"';
  for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']) {
    const reading = readPod(pod({ init: exited(0), step: waiting(reason, message) }), false);
    assert.deepEqual(reading.fatal, { reason: 'image', message: `${reason}: ${message}` });
    assert.equal(reading.troubled, true);
  }
});

test('an image pull that timed out or got a registry 5xx is retryable; a missing image is not', () => {
  for (const cause of [
    'dial tcp 10.0.0.7:443: i/o timeout',
    'received unexpected HTTP status: 503 Service Unavailable',
    'net/http: TLS handshake timeout',
  ]) {
    const message = `Failed to pull image "registry.example/app:1": ${cause}`;
    const reading = readPod(pod({ init: exited(0), step: waiting('ErrImagePull', message) }), false);
    assert.deepEqual(reading.fatal, {
      reason: 'image',
      message: `ErrImagePull: ${message}`,
      retryable: true,
    });
  }
  const missing = 'Failed to pull image "registry.example/app:1": registry.example/app:1: not found';
  const reading = readPod(pod({ init: exited(0), step: waiting('ErrImagePull', missing) }), false);
  assert.equal(reading.fatal?.retryable, undefined);
});

test('container configuration errors are config failures', () => {
  const message = 'secret "api" not found';
  const reading = readPod(
    pod({ init: exited(0), step: waiting('CreateContainerConfigError', message) }),
    false,
  );
  assert.deepEqual(reading.fatal, { reason: 'config', message: `CreateContainerConfigError: ${message}` });
  assert.equal(readPod(pod({ step: waiting('CreateContainerError') }), false).fatal?.reason, 'config');
  assert.equal(readPod(pod({ step: waiting('RunContainerError') }), false).fatal?.reason, 'user');
  assert.equal(readPod(pod({ step: waiting('CrashLoopBackOff') }), false).fatal?.reason, 'user');
});

test('normal start-up is neither fatal nor troubled', () => {
  const creating = readPod(
    pod({ init: waiting('PodInitializing'), step: waiting('PodInitializing') }),
    false,
  );
  assert.equal(creating.fatal, null);
  assert.equal(creating.troubled, false);
  assert.equal(creating.sourceAwaited, false);
  const initRunning = readPod(pod({ init: { running: {} }, step: waiting('PodInitializing') }), false);
  assert.equal(initRunning.sourceAwaited, true);
  assert.equal(initRunning.stepStarted, false);
  const running = readPod(pod({ init: exited(0), step: { running: {} }, phase: 'Running' }), false);
  assert.equal(running.stepStarted, true);
  assert.equal(running.exit, null);
});

test('completion comes from the terminated state, never from the phase', () => {
  const early = readPod(pod({ init: exited(0), step: { running: {} }, phase: 'Succeeded' }), false);
  assert.equal(early.exit, null);
  assert.equal(early.fatal, null);
  const done = readPod(pod({ init: exited(0), step: exited(3, 'Error'), phase: 'Failed' }), false);
  assert.deepEqual(done.exit, { exitCode: 3, reason: 'Error', message: null });
  assert.equal(done.fatal, null);
  assert.equal(done.stepStarted, true);
});

test('OOMKilled, eviction, deadline and disruption are classified', () => {
  const oom = readPod(pod({ step: exited(137, 'OOMKilled'), phase: 'Failed' }), false);
  assert.equal(oom.fatal?.reason, 'user');
  assert.match(oom.fatal?.message ?? '', /^OOMKilled/);
  const evicted = readPod(
    pod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
      step: exited(137, 'Error'),
    }),
    false,
  );
  assert.deepEqual(evicted.fatal, {
    reason: 'infrastructure',
    message: 'Evicted: The node was low on resource: memory.',
  });
  const deadline = readPod(
    pod({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active too long' }),
    false,
  );
  assert.equal(deadline.fatal?.reason, 'timeout');
  const disruption = readPod(
    pod({
      step: { running: {} },
      conditions: [
        { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'preempted' },
      ],
    }),
    false,
  );
  assert.deepEqual(disruption.fatal, {
    reason: 'infrastructure',
    message: 'PreemptionByScheduler: preempted',
  });
});

test('unschedulable is reported but not fatal by itself', () => {
  const message = '0/3 nodes are available: 3 Insufficient cpu.';
  const reading = readPod(
    pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] }),
    false,
  );
  assert.equal(reading.unschedulable, message);
  assert.equal(reading.fatal, null);
  assert.equal(reading.troubled, true);
});

test('a pod deleted by someone else is fatal; our own deletion is not', () => {
  assert.equal(readPod(null, false).fatal?.reason, 'infrastructure');
  assert.equal(readPod(null, true).fatal, null);
  assert.equal(
    readPod(pod({ step: { running: {} }, deleting: true }), false).fatal?.reason,
    'infrastructure',
  );
  assert.equal(readPod(pod({ step: { running: {} }, deleting: true }), true).fatal, null);
});

test('a failed source upload is an infrastructure error', () => {
  const reading = readPod(pod({ init: exited(2, 'Error'), step: waiting('PodInitializing') }), false);
  assert.equal(reading.fatal?.reason, 'infrastructure');
  assert.match(reading.fatal?.message ?? '', /source upload failed/);
});
