import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { ReasonClass } from '../../../src/vocab/index.ts';
import { step } from './fixtures.ts';
import { collectOutput, NAMESPACE, planOf, startHarness } from './harness.ts';

const NORMAL_WAITING = new Set(['ContainerCreating', 'PodInitializing']);

/** When the API first shows a terminal condition: read independently of the runtime's classifier. */
function troubleShown(pod: V1Pod): boolean {
  const status = pod.status ?? {};
  const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  return (
    status.reason === 'Evicted' ||
    (status.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True') ||
    containers.some((c) => {
      const waiting = c.state?.waiting?.reason;
      return (waiting && !NORMAL_WAITING.has(waiting)) || c.state?.terminated?.reason === 'OOMKilled';
    })
  );
}

/** Runs one step and returns its outcome and how long after the API showed the trouble it ended. */
async function timeToFailure(t: TestContext, overrides: Parameters<typeof step>[0]) {
  const harness = await startHarness(t);
  const planned = step(overrides);
  const session = await harness.runtime.open(
    harness.build(`timing-${planned.name}`, planOf([planned])),
    AbortSignal.timeout(30_000),
  );
  // The last moment the API was seen without the trouble: the change came after it, so
  // `ended - clearAt` bounds the delay from above, even when the runtime beats the poll.
  let clearAt = Date.now();
  let shown = false;
  const poll = setInterval(() => {
    if (shown) return;
    if (harness.fake.pods(NAMESPACE).some(troubleShown)) shown = true;
    else clearAt = Date.now();
  }, 2);
  try {
    const outcome = await session.runStep(planned, { output: collectOutput() }, AbortSignal.timeout(30_000));
    return { outcome, delayMs: Date.now() - clearAt };
  } finally {
    clearInterval(poll);
    await session.cleanup();
  }
}

const timelines: Array<{ name: string; reason: ReasonClass; message: RegExp } & Parameters<typeof step>[0]> =
  [
    {
      name: 'pull',
      image: 'registry.example/x/does-not-exist:1',
      reason: 'image',
      message: /^ErrImagePull: /,
    },
    { name: 'invalid', image: 'berth.test/invalid:UPPER', reason: 'image', message: /^InvalidImageName: / },
    {
      name: 'create',
      image: 'berth.test/create-error',
      reason: 'config',
      message: /^CreateContainerError: /,
    },
    {
      name: 'secret',
      secretEnv: [{ name: 'T', secretName: 'absent', key: 'k' }],
      reason: 'config',
      message: /^CreateContainerConfigError: .*absent/,
    },
    { name: 'oom', image: 'berth.test/oom', reason: 'user', message: /^OOMKilled/ },
    { name: 'evicted', image: 'berth.test/evicted', reason: 'infrastructure', message: /^Evicted: / },
    {
      name: 'disruption',
      image: 'berth.test/disruption',
      reason: 'infrastructure',
      message: /^DeletionByTaintManager: Taint manager/,
    },
  ];

for (const { name, reason, message, ...overrides } of timelines) {
  test(`${name}: reported as ${reason} within a second of the status change`, async (t) => {
    const { outcome, delayMs } = await timeToFailure(t, { name, ...overrides });
    assert.equal(outcome.status, 'error', JSON.stringify(outcome));
    assert.equal(outcome.status === 'error' && outcome.reason, reason);
    assert.match(outcome.status === 'error' ? outcome.message : '', message);
    assert.ok(delayMs < 1000, `${delayMs} ms after the API showed it`);
  });
}
