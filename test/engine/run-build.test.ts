import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBuild } from '../../src/engine/index.ts';
import { runLocal, statuses, tempDir } from '../support/engine.ts';
import { memorySink } from '../support/memory-sink.ts';
import { plan, stage } from '../support/plan.ts';
import { processesWith, uniqueMarker } from '../support/processes.ts';

const waitFor = (file: string) => `while [ ! -e ${file} ]; do sleep 0.01; done`;

describe('runBuild', () => {
  it('runs the steps of a stage in parallel', async () => {
    const shared = await tempDir();
    try {
      const a = join(shared.dir, 'a');
      const b = join(shared.dir, 'b');
      const { result } = await runLocal(
        plan([stage('both', { one: `touch ${a}; ${waitFor(b)}`, two: `touch ${b}; ${waitFor(a)}` })]),
        { timeouts: { stepMs: 20_000, buildMs: 30_000, cleanupMs: 5000 } },
      );
      assert.equal(result.status, 'success', result.message ?? '');
      assert.deepEqual(statuses(result), { 'both/one': 'success', 'both/two': 'success' });
    } finally {
      await shared.remove();
    }
  });

  it('follows runs-if after a failure: success stages skipped, fail and always stages run', async () => {
    const { result } = await runLocal(
      plan([
        stage('first', { ok: 'true' }),
        stage('second', { broken: 'exit 3' }),
        stage('third', { next: 'true' }),
        stage('on-fail', { report: 'true' }, 'fail'),
        stage('finally', { tidy: 'true' }, 'always'),
      ]),
    );
    assert.deepEqual(statuses(result), {
      'first/ok': 'success',
      'second/broken': 'failed',
      'third/next': 'skipped',
      'on-fail/report': 'success',
      'finally/tidy': 'success',
    });
    assert.deepEqual(
      result.stages.map((s) => s.status),
      ['success', 'failed', 'skipped', 'success', 'success'],
    );
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'user');
    assert.equal(result.message, 'second/broken: exited with code 3');
    const broken = result.stages[1]?.steps[0];
    assert.equal(broken?.exitCode, 3);
    assert.ok(broken?.startedAt && broken.finishedAt);
  });

  it('follows runs-if without a failure: fail stages skipped, always stages run', async () => {
    const { result } = await runLocal(
      plan([
        stage('build', { ok: 'true' }),
        stage('on-fail', { report: 'true' }, 'fail'),
        stage('finally', { tidy: 'true' }, 'always'),
      ]),
    );
    assert.deepEqual(statuses(result), {
      'build/ok': 'success',
      'on-fail/report': 'skipped',
      'finally/tidy': 'success',
    });
    assert.equal(result.status, 'success');
  });

  it('cancels the running siblings of a failed step and kills their processes', async () => {
    const shared = await tempDir();
    const marker = uniqueMarker();
    try {
      const started = join(shared.dir, 'started');
      const { result } = await runLocal(
        plan([
          stage('test', {
            slow: `sleep 30 & touch ${started}; sh -c 'sleep 31; echo ${marker}' & wait`,
            fails: `${waitFor(started)}; exit 4`,
          }),
          stage('deploy', { ship: 'true' }),
        ]),
      );
      assert.deepEqual(statuses(result), {
        'test/slow': 'cancelled',
        'test/fails': 'failed',
        'deploy/ship': 'skipped',
      });
      const slow = result.stages[0]?.steps[0];
      assert.equal(slow?.reason, 'cancelled');
      assert.equal(slow?.message, 'cancelled: test/fails failed');
      assert.equal(result.stages[0]?.status, 'failed');
      assert.equal(result.status, 'failed');
      assert.deepEqual(await processesWith(marker), []);
    } finally {
      await shared.remove();
    }
  });

  it('fails a step that runs past the step timeout with reason timeout', async () => {
    const { result, sink } = await runLocal(plan([stage('s', { hang: 'sleep 30' })]), {
      timeouts: { stepMs: 500, buildMs: 60_000, cleanupMs: 5000 },
    });
    const hang = result.stages[0]?.steps[0];
    assert.equal(hang?.status, 'failed');
    assert.equal(hang?.reason, 'timeout');
    assert.equal(hang?.message, 'step timed out after 500ms');
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'timeout');
    assert.ok(sink.texts('system').includes('step failed: step timed out after 500ms'));
  });

  it('stops the build at the build timeout and skips what is left', async () => {
    const { result } = await runLocal(
      plan([stage('s', { hang: 'sleep 30' }), stage('after', { x: 'true' }, 'always')]),
      { timeouts: { stepMs: 60_000, buildMs: 300, cleanupMs: 5000 } },
    );
    assert.deepEqual(statuses(result), { 's/hang': 'failed', 'after/x': 'skipped' });
    assert.equal(result.stages[0]?.steps[0]?.reason, 'timeout');
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'timeout');
    assert.equal(result.message, 'build timed out after 300ms');
  });

  it('cancels through its signal, skips the rest and still cleans up', async () => {
    const controller = new AbortController();
    const marker = uniqueMarker();
    const { result, leftovers, events } = await runLocal(
      plan([
        stage('s', { run: `echo ready; sleep 30; echo ${marker}` }),
        stage('last', { x: 'true' }, 'always'),
      ]),
      {
        signal: controller.signal,
        sink: {
          append: (entry) => {
            if (entry.text === 'ready') controller.abort();
          },
          flush: async () => {},
        },
      },
    );
    assert.equal(result.status, 'cancelled');
    assert.equal(result.reason, 'cancelled');
    assert.deepEqual(statuses(result), { 's/run': 'cancelled', 'last/x': 'skipped' });
    assert.deepEqual(leftovers, []);
    assert.deepEqual(await processesWith(marker), []);
    assert.equal(events.at(-1)?.type, 'build-finished');
  });

  it('reports events in order for followers', async () => {
    const { events } = await runLocal(
      plan([stage('one', { a: 'true' }), stage('two', { b: 'true' }, 'fail')]),
    );
    assert.deepEqual(
      events.map((e) => ('result' in e && 'name' in e.result ? `${e.type}:${e.result.name}` : e.type)),
      [
        'build-started',
        'stage-started',
        'step-started',
        'step-finished:a',
        'stage-finished:one',
        'step-finished:b',
        'stage-finished:two',
        'build-finished',
      ],
    );
  });

  it('redacts secrets and keeps stdout and stderr lines of a step', async () => {
    const { sink } = await runLocal(
      plan([stage('s', { talk: 'echo token=p4ss-w0rd; echo "to err" >&2' })], { secrets: ['p4ss-w0rd'] }),
    );
    assert.ok(sink.entries.every((e) => !e.text.includes('p4ss-w0rd')));
    assert.ok(sink.texts('stderr').includes('to err'));
  });

  it('keeps a step log within the cap and memory bounded, whatever the step prints', async () => {
    let bytes = 0;
    const notes: string[] = [];
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const { result } = await runLocal(
      plan([stage('s', { loud: 'yes "all work and no play" | head -c 200000000' })]),
      {
        logCapBytes: 1024 * 1024,
        sink: {
          append: (e) => {
            if (e.stream === 'system') notes.push(e.text);
            else bytes += Buffer.byteLength(e.text) + 1;
          },
          flush: async () => {},
        },
      },
    ).finally(() => clearInterval(sampler));
    assert.equal(result.status, 'success');
    assert.ok(bytes <= 1024 * 1024 && bytes > 1024 * 1024 - 100, `${bytes} bytes kept`);
    assert.deepEqual(notes.slice(1), ['log truncated: output past 1 MiB is not kept', 'step succeeded']);
    assert.ok(peak - baseline < 100 * 1024 * 1024, `rss grew by ${Math.round((peak - baseline) / 1e6)} MB`);
  });

  it('turns runtime exceptions into error results instead of throwing', async () => {
    const sink = memorySink();
    const base = {
      build: {
        id: 'x',
        instance: 't',
        plan: plan([stage('s', { a: 'true' })]),
        source: { dir: '/', respectGitignore: true },
      },
      sink,
      signal: new AbortController().signal,
      timeouts: { stepMs: 1000, buildMs: 1000, cleanupMs: 1000 },
      logCapBytes: 1000,
    };
    let cleaned = false;
    const throwing = await runBuild({
      ...base,
      runtime: {
        kind: 'local',
        open: async () => ({
          runStep: async () => {
            throw new Error('socket hang up');
          },
          cleanup: async () => {
            cleaned = true;
          },
        }),
      },
    });
    assert.equal(throwing.status, 'error');
    assert.equal(throwing.reason, 'infrastructure');
    assert.equal(throwing.stages[0]?.steps[0]?.message, 'socket hang up');
    assert.ok(cleaned);
    const unopened = await runBuild({
      ...base,
      runtime: {
        kind: 'local',
        open: async () => {
          throw new Error('no cluster');
        },
      },
    });
    assert.equal(unopened.status, 'error');
    assert.equal(unopened.message, 'runtime could not start the build: no cluster');
    assert.deepEqual(statuses(unopened), { 's/a': 'skipped' });
  });

  it('masks secrets in step and build messages, whatever the runtime put there', async () => {
    const secret = 'hunter2-SECRET-value';
    const base = {
      build: {
        id: 'x',
        instance: 't',
        plan: plan([stage('s', { a: 'true' })], { secrets: [secret] }),
        source: { dir: '/', respectGitignore: true },
      },
      sink: memorySink(),
      signal: new AbortController().signal,
      timeouts: { stepMs: 1000, buildMs: 1000, cleanupMs: 1000 },
      logCapBytes: 1000,
    };
    const failed = await runBuild({
      ...base,
      runtime: {
        kind: 'local',
        open: async () => ({
          runStep: async () => ({ status: 'failed', exitCode: 137, message: `OOMKilled: using ${secret}` }),
          cleanup: async () => {},
        }),
      },
    });
    assert.equal(failed.stages[0]?.steps[0]?.message, 'OOMKilled: using ***');
    assert.equal(failed.message, 's/a: OOMKilled: using ***');
    const unopened = await runBuild({
      ...base,
      runtime: {
        kind: 'local',
        open: async () => {
          throw new Error(`bad token ${secret}`);
        },
      },
    });
    assert.equal(unopened.message, 'runtime could not start the build: bad token ***');
  });
});
