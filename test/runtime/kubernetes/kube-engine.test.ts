import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBuild } from '../../../src/engine/index.ts';
import type { LogEntry } from '../../../src/logs/types.ts';
import { step } from './fixtures.ts';
import { NAMESPACE, planOf, startHarness } from './harness.ts';

test('the engine runs a multi-stage pipeline on the Kubernetes runtime', async (t) => {
  const harness = await startHarness(t);
  const plan = planOf(
    [step({ stage: 'build', name: 'compile', script: 'echo compiling; cat hello.txt' })],
    [
      step({ stage: 'test', name: 'unit', script: 'echo unit ok' }),
      // lint fails a second after unit has had time to run: fail-fast cancels only what still runs.
      step({ stage: 'test', name: 'lint', script: 'sleep 1; echo lint failed >&2; exit 2' }),
    ],
    [step({ stage: 'deploy', name: 'ship', script: 'echo shipping' })],
  );
  plan.secrets = ['hello from'];
  const entries: LogEntry[] = [];
  const result = await runBuild({
    runtime: harness.runtime,
    build: harness.build('engine-1', plan),
    sink: { append: (entry) => entries.push(entry), flush: async () => {} },
    signal: AbortSignal.timeout(60_000),
    timeouts: { stepMs: 30_000, buildMs: 60_000, cleanupMs: 10_000 },
    logCapBytes: 1024 * 1024,
  });
  assert.equal(result.status, 'failed');
  assert.deepEqual(
    result.stages.map((stage) => [stage.name, stage.status]),
    [
      ['build', 'success'],
      ['test', 'failed'],
      ['deploy', 'skipped'],
    ],
  );
  const lint = result.stages[1]?.steps.find((s) => s.name === 'lint');
  assert.equal(lint?.exitCode, 2);
  const lines = (stepName: string) =>
    entries.filter((e) => e.step === stepName && e.stream !== 'system').map((e) => e.text);
  assert.deepEqual(lines('compile'), ['compiling', '*** the repo']);
  assert.deepEqual(lines('unit'), ['unit ok']);
  assert.deepEqual(lines('lint'), ['lint failed']);
  assert.deepEqual(lines('ship'), []);
  await harness.fake.waitFor(() => harness.fake.pods(NAMESPACE).length === 0);
});
