import assert from 'node:assert/strict';
import { test } from 'node:test';
import { step } from './fixtures.ts';
import { collectOutput, NAMESPACE, planOf, startHarness } from './harness.ts';

test('a multi-stage build runs each step as a pod with the source, exact commands and full logs', async (t) => {
  const harness = await startHarness(t);
  const first = step({ stage: 'build', name: 'read source', script: 'cat hello.txt; echo "pwd=$(pwd)"' });
  const second = step({
    stage: 'test',
    name: 'dollars',
    script: 'X=1; echo "$X $(echo sub) $$(NOPE) \\$(KEEP)"',
    env: { GREETING: 'cost $(NOT_A_VAR) $5' },
  });
  const third = step({ stage: 'test', name: 'fails', script: 'echo about to fail >&2; exit 3' });
  const fourth = step({
    stage: 'test',
    name: 'env',
    script: 'echo "$GREETING"',
    env: { GREETING: 'cost $(NOT_A_VAR) $5' },
  });
  const build = harness.build('happy-1', planOf([first], [second, third, fourth]));
  const session = await harness.runtime.open(build, AbortSignal.timeout(30_000));
  const outputs = [collectOutput(), collectOutput(), collectOutput(), collectOutput()];
  const signal = AbortSignal.timeout(30_000);
  const one = await session.runStep(first, { output: outputs[0] ?? collectOutput() }, signal);
  const rest = await Promise.all(
    [second, third, fourth].map((s, i) =>
      session.runStep(s, { output: outputs[i + 1] ?? collectOutput() }, signal),
    ),
  );
  await session.cleanup();

  assert.deepEqual(one, { status: 'success', exitCode: 0 });
  assert.deepEqual(outputs[0]?.texts('stdout'), ['hello from the repo', 'pwd=/mnt/repo']);
  assert.deepEqual(rest[0], { status: 'success', exitCode: 0 });
  assert.match(outputs[1]?.texts('stdout')[0] ?? '', /^1 sub \d+\(NOPE\) \$\(KEEP\)$/);
  assert.deepEqual(rest[1], { status: 'failed', exitCode: 3, message: 'exit code 3' });
  assert.deepEqual(outputs[2]?.texts('stdout'), ['about to fail']);
  assert.deepEqual(outputs[3]?.texts('stdout'), ['cost $(NOT_A_VAR) $5']);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});
