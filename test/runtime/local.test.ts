import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { promisify } from 'node:util';
import { createStepOutput } from '../../src/logs/step-output.ts';
import type { PlannedStep } from '../../src/pipeline/types.ts';
import { createLocalRuntime } from '../../src/runtime/local/index.ts';
import { localNotes } from '../../src/runtime/local/step-notes.ts';
import { tempDir } from '../support/engine.ts';
import { memorySink } from '../support/memory-sink.ts';
import { plan, shellStep } from '../support/plan.ts';
import { survivorsWith, uniqueMarker } from '../support/processes.ts';

const git = promisify(execFile);

let repo: Awaited<ReturnType<typeof tempDir>>;
let work: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  repo = await tempDir('berth-repo-');
  work = await tempDir('berth-work-');
  await git('git', ['init', '-q', repo.dir]);
  await writeFile(join(repo.dir, '.gitignore'), 'ignored.txt\n');
  await writeFile(join(repo.dir, 'ignored.txt'), 'secret build output\n');
  await mkdir(join(repo.dir, 'scripts'));
  await writeFile(join(repo.dir, 'scripts/run.sh'), '#!/bin/sh\necho ran\n');
  await chmod(join(repo.dir, 'scripts/run.sh'), 0o755);
  await symlink('scripts/run.sh', join(repo.dir, 'link.sh'));
  await writeFile(join(repo.dir, 'big.bin'), Buffer.alloc(300_000, 7));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: wharf variables, not JS templates
  await writeFile(join(repo.dir, 'values.yaml'), 'tag: ${ TAG }\nkeep: ${%TAG%}\nother: ${UNKNOWN}\n');
});

after(async () => {
  await repo.remove();
  await work.remove();
});

/** Runs one step on a fresh session over the test repo; returns outcome and log. */
async function runOne(
  step: PlannedStep,
  options: { respectGitignore?: boolean; signal?: AbortSignal; prepare?: AbortSignal } = {},
) {
  const runtime = createLocalRuntime({
    killGraceMs: 300,
    workDir: work.dir,
    hostEnv: { PATH: process.env.PATH },
  });
  const build = {
    id: 't',
    instance: 'test',
    plan: plan([], { variables: { TAG: 'v1.2' } }),
    source: { dir: repo.dir, respectGitignore: options.respectGitignore ?? true },
  };
  if (options.prepare) runtime.prepare?.(build.source, options.prepare);
  const session = await runtime.open(build, new AbortController().signal);
  const sink = memorySink();
  const output = createStepOutput(
    sink,
    { stage: step.stage, step: step.name },
    { secrets: [], capBytes: 1e6 },
  );
  try {
    const outcome = await session.runStep(step, { output }, options.signal ?? new AbortController().signal);
    output.end();
    return { outcome, sink };
  } finally {
    await session.cleanup();
  }
}

describe('local runtime', () => {
  it('runs a step in a copy of the tree that keeps modes and symlinks and honours .gitignore', async () => {
    const { outcome, sink } = await runOne(
      shellStep(
        's',
        'x',
        './scripts/run.sh && ./link.sh && wc -c < big.bin && ls -a && echo changed > scripts/run.sh',
      ),
    );
    assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
    const out = sink.texts('stdout');
    assert.deepEqual(out.slice(0, 3), ['ran', 'ran', '300000']);
    assert.ok(out.includes('values.yaml'));
    assert.ok(!out.includes('ignored.txt'));
    assert.equal(await readFile(join(repo.dir, 'scripts/run.sh'), 'utf8'), '#!/bin/sh\necho ran\n');
  });

  it('gives the same copy when told ahead that the build is coming, even if told to stop', async () => {
    const stopped = new AbortController();
    stopped.abort();
    for (const prepare of [new AbortController().signal, stopped.signal]) {
      const { outcome, sink } = await runOne(shellStep('s', 'x', './link.sh && wc -c < big.bin && ls -a'), {
        prepare,
      });
      assert.deepEqual(outcome, { status: 'success', exitCode: 0 });
      const out = sink.texts('stdout');
      assert.deepEqual(out.slice(0, 2), ['ran', '300000']);
      assert.ok(out.includes('values.yaml') && out.includes('scripts'));
      assert.ok(!out.includes('ignored.txt'));
    }
  });

  it('copies ignored files too when gitignore is off', async () => {
    const { sink } = await runOne(shellStep('s', 'x', 'cat ignored.txt'), { respectGitignore: false });
    assert.deepEqual(sink.texts('stdout'), ['secret build output']);
  });

  it('gives a files step only its files, with variables substituted where asked', async () => {
    const step = shellStep('s', 'x', 'ls; cat values.yaml', {
      source: { kind: 'files', files: [{ path: 'values.yaml', substitute: true }] },
    });
    const { sink } = await runOne(step);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: wharf variables, not JS templates
    assert.deepEqual(sink.texts('stdout'), ['values.yaml', 'tag: v1.2', 'keep: ${TAG}', 'other: ${UNKNOWN}']);
  });

  it('fails a files step whose file is missing with a config error', async () => {
    const step = shellStep('s', 'x', 'true', {
      source: { kind: 'files', files: [{ path: 'nope.yaml', substitute: false }] },
    });
    const { outcome } = await runOne(step);
    assert.deepEqual(outcome, {
      status: 'error',
      reason: 'config',
      message: 'file "nope.yaml" not found in the working tree',
    });
  });

  it('refuses files outside the working tree', async () => {
    const step = shellStep('s', 'x', 'true', {
      source: { kind: 'files', files: [{ path: '../x', substitute: false }] },
    });
    const { outcome } = await runOne(step);
    assert.deepEqual(outcome, {
      status: 'error',
      reason: 'config',
      message: 'file "../x" is outside the working tree',
    });
  });

  it('runs with the plan env plus PATH and HOME, and says what it cannot provide', async () => {
    const step = shellStep(
      's',
      'x',
      'echo "$GREETING $FROM_SECRET"; test -n "$PATH" && test -n "$HOME" && echo ok',
      {
        env: { GREETING: 'hello' },
        secretEnv: [{ name: 'FROM_SECRET', secretName: 'creds', key: 'token' }],
      },
    );
    const { sink } = await runOne(step);
    assert.deepEqual(sink.texts('stdout'), ['hello ', 'ok']);
    assert.deepEqual(sink.texts('system'), [
      'image alpine:3.20 is not used: the local runtime runs the step on this machine',
      'env FROM_SECRET comes from secret creds key token, which cannot be read locally: unset',
    ]);
  });

  it('refuses a tool step whose tool is not on PATH, and runs it when it is', async () => {
    const helm = shellStep('s', 'deploy', 'helm version', {
      type: 'helm',
      tools: ['helm-not-installed-here'],
    });
    const { outcome } = await runOne(helm);
    assert.deepEqual(outcome, {
      status: 'error',
      reason: 'config',
      message: 'requires "helm-not-installed-here" on PATH; use --runtime kubernetes',
    });
    const { outcome: ok } = await runOne(shellStep('s', 'k', 'true', { type: 'kubectl', tools: ['sh'] }));
    assert.equal(ok.status, 'success');
  });

  it('reports the exit code of a failing command and a missing shell', async () => {
    assert.deepEqual((await runOne(shellStep('s', 'x', 'exit 7'))).outcome, {
      status: 'failed',
      exitCode: 7,
      message: 'exited with code 7',
    });
    const noShell = shellStep('s', 'x', 'true', { command: ['/bin/no-such-shell', '-c', 'true'] });
    assert.deepEqual((await runOne(noShell)).outcome, {
      status: 'error',
      reason: 'config',
      message: 'cannot run "/bin/no-such-shell": not found',
    });
  });

  it('kills the whole process group on abort, even children that ignore SIGTERM', async () => {
    const marker = uniqueMarker();
    const controller = new AbortController();
    const script = `trap '' TERM; sh -c "trap '' TERM; sleep 30; echo ${marker}" & sleep 31 & echo started; wait`;
    const sink = memorySink();
    const step = shellStep('s', 'x', script);
    const runtime = createLocalRuntime({ killGraceMs: 200, workDir: work.dir });
    const build = {
      id: 'k',
      instance: 't',
      plan: plan([]),
      source: { dir: repo.dir, respectGitignore: true },
    };
    const session = await runtime.open(build, controller.signal);
    const output = createStepOutput(
      { ...sink, append: (e) => (e.text === 'started' ? controller.abort() : sink.append(e)) },
      { stage: 's', step: 'x' },
      { secrets: [], capBytes: 1e6 },
    );
    const outcome = await session.runStep(step, { output }, controller.signal);
    await session.cleanup();
    assert.equal(outcome.status, 'cancelled');
    assert.deepEqual(await survivorsWith(marker), []);
  });

  it('leaves nothing running after the step command exits, and removes its copies', async () => {
    const marker = uniqueMarker();
    const { outcome } = await runOne(
      shellStep('s', 'x', `(sleep 30; echo ${marker}) > /dev/null 2>&1 & echo bye`),
    );
    assert.equal(outcome.status, 'success');
    assert.deepEqual(await survivorsWith(marker), []);
    assert.deepEqual(await readdir(work.dir), []);
  });

  it('turns a dead launcher into an infrastructure error and still kills the step', async () => {
    const marker = uniqueMarker();
    const runtime = createLocalRuntime({ killGraceMs: 200, workDir: work.dir });
    const build = {
      id: 'l',
      instance: 't',
      plan: plan([]),
      source: { dir: repo.dir, respectGitignore: true },
    };
    const session = await runtime.open(build, new AbortController().signal);
    const step = shellStep('s', 'x', `echo up; sleep 30; echo ${marker}`);
    const output = createStepOutput(
      {
        append: (entry) => {
          if (entry.text === 'up') void killLauncher();
        },
        flush: async () => {},
      },
      { stage: 's', step: 'x' },
      { secrets: [], capBytes: 1e6 },
    );
    const outcome = await session.runStep(step, { output }, new AbortController().signal);
    await session.cleanup();
    assert.deepEqual(outcome, {
      status: 'error',
      reason: 'infrastructure',
      message: 'the local process launcher stopped unexpectedly',
    });
    assert.deepEqual(await survivorsWith(marker), []);
  });
});

/** SIGKILLs the launcher this test process started. */
async function killLauncher() {
  const { stdout } = await git('ps', ['-eo', 'pid=,ppid=,args=']);
  for (const line of stdout.split('\n')) {
    const [pid, ppid, ...args] = line.trim().split(/\s+/);
    if (Number(ppid) === process.pid && args.includes('-e')) process.kill(Number(pid), 'SIGKILL');
  }
}

test('the unused image is said once per build and image, other notes for every step', () => {
  const noted = new Set<string>();
  const withSecret = { secretEnv: [{ name: 'TOKEN', secretName: 'creds', key: 'token' }] };
  const first = localNotes(shellStep('s', 'a', 'true', withSecret), noted);
  const second = localNotes(shellStep('s', 'b', 'true', withSecret), noted);
  const other = localNotes(shellStep('s', 'c', 'true', { image: 'node:24' }), noted);
  assert.equal(first.length, 2);
  assert.deepEqual(second, [
    'env TOKEN comes from secret creds key token, which cannot be read locally: unset',
  ]);
  assert.deepEqual(other, ['image node:24 is not used: the local runtime runs the step on this machine']);
});
