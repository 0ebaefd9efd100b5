import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { step } from './fixtures.ts';
import { NAMESPACE, runSteps, startHarness } from './harness.ts';

test('a step whose image runs as a non-root user can change, add and remove files of its source', async (t) => {
  const harness = await startHarness(t);
  await mkdir(join(harness.sourceDir, 'src/lib'), { recursive: true });
  await writeFile(join(harness.sourceDir, 'src/lib/util.txt'), 'util\n');
  const nonRoot = step({
    image: 'berth.test/nonroot:1',
    script: [
      'id -u',
      'echo changed >> hello.txt',
      'echo added > src/lib/new.txt',
      'mkdir src/lib/made',
      'rm src/lib/util.txt',
      'cat hello.txt src/lib/new.txt',
    ].join(' && '),
  });
  const [result] = await runSteps(harness, 'identity-1', [nonRoot]);
  assert.deepEqual(result?.outcome, { status: 'success', exitCode: 0 }, result?.output.texts().join('\n'));
  assert.deepEqual(result?.output.texts('stdout'), ['1000', 'hello from the repo', 'changed', 'added']);
  assert.deepEqual(harness.fake.pods(NAMESPACE), []);
});
