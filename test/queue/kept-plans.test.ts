// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
// The worker's runner and a build that waits for its slots: woken on the worker that planned
// it, it runs the plan it made (its pipeline file is not read again); woken on another worker,
// it plans again. Either way its plan's warnings are logged once.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildRequest } from '../../src/builds/types.ts';
import { createLocalAdapter } from '../../src/forge/local/adapter.ts';
import type { LogSink } from '../../src/logs/types.ts';
import type { BuildRun } from '../../src/queue/build-runner.ts';
import { tempDir } from '../support/engine.ts';
import { localPlanAndRun } from '../support/local-runner.ts';
import { memorySink } from '../support/memory-sink.ts';

const PIPELINE = `concurrency: {group: deploy}
build:
  work:
    container:
      image: busybox
      cmds:
        - echo "ran \${NOT_DEFINED}"
`;

test('a woken build runs the plan it made before it waited, and logs its warnings once', async () => {
  const folder = await tempDir('berth-kept-');
  try {
    await writeFile(join(folder.dir, '.wharf-ci.yml'), PIPELINE);
    const local = createLocalAdapter([folder.dir]);
    const reads: string[] = [];
    const adapter = {
      ...local,
      readFile: (r: BuildRequest, path: string, signal: AbortSignal) => {
        reads.push(path);
        return local.readFile(r, path, signal);
      },
    };
    const request: BuildRequest = {
      forge: 'local',
      repo: folder.dir,
      ref: 'main',
      refType: 'branch',
      sha: 'a'.repeat(40),
      trigger: 'push',
      inputs: {},
      rerun: false,
    };
    const runOf = (
      id: string,
      sink: LogSink,
      admit: BuildRun['admit'],
      plannedBefore: boolean,
    ): BuildRun => ({
      id,
      buildRef: 1,
      request,
      adapter,
      sink,
      signal: new AbortController().signal,
      onSource: () => {},
      onPlan: () => {},
      onEvent: () => {},
      ...(admit ? { admit } : {}),
      ...(plannedBefore ? { plannedBefore } : {}),
    });
    const waits = async () => {
      throw new Error('waiting for slots');
    };
    const goes = async () => {};
    const pipelineReads = () => reads.filter((p) => p === '.wharf-ci.yml').length;
    const warnings = (sink: ReturnType<typeof memorySink>) =>
      sink.texts('system').filter((t) => t.includes('undefined variable "NOT_DEFINED"')).length;

    // Woken on the worker that planned it: the plan it made runs.
    const runner = localPlanAndRun();
    const sink = memorySink();
    await assert.rejects(runner(runOf('bkept1', sink, waits, false)), /waiting for slots/);
    assert.equal(pipelineReads(), 1);
    const result = await runner(runOf('bkept1', sink, goes, true));
    assert.equal(result.status, 'success');
    assert.ok(sink.texts().includes('ran '), 'the step ran');
    assert.equal(pipelineReads(), 1, 'the pipeline file is not read again');
    assert.equal(warnings(sink), 1);

    // Woken on another worker, which kept nothing: it plans again and logs nothing twice.
    const elsewhere = memorySink();
    await assert.rejects(runner(runOf('bkept2', elsewhere, waits, false)), /waiting for slots/);
    const result2 = await localPlanAndRun()(runOf('bkept2', elsewhere, goes, true));
    assert.equal(result2.status, 'success');
    assert.equal(pipelineReads(), 3, 'read where it was planned and again on the other worker');
    assert.equal(warnings(elsewhere), 1);
  } finally {
    await folder.remove();
  }
});
