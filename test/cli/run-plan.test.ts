import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { executePlan } from '../../src/cli/run-plan.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { BuildPlan } from '../../src/pipeline/types.ts';
import { createLocalRuntime } from '../../src/runtime/local/index.ts';
import { tempDir } from '../support/engine.ts';
import { plan, stage } from '../support/plan.ts';

let repo: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  repo = await tempDir('berth-cli-');
});
after(() => repo.remove());

/** Runs `buildPlan` as `berth run` would; returns the exit code and everything printed. */
async function execute(buildPlan: BuildPlan, signal = new AbortController().signal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk) => {
    printed += chunk;
  });
  const ctx = {
    argv: [],
    stdout,
    stderr,
    env: {},
    cwd: repo.dir,
    signal,
    appDir: new URL('../../src/', import.meta.url),
  };
  const code = await executePlan(ctx, {
    plan: buildPlan,
    file: `${repo.dir}/.wharf-ci.yml`,
    repoDir: repo.dir,
    respectGitignore: false,
    runtime: createLocalRuntime({ killGraceMs: 200, hostEnv: { PATH: process.env.PATH } }),
    config: loadConfig({}),
  });
  return { code, printed };
}

describe('berth run output', () => {
  it('prints prefixed live lines, a summary table and exits 0 on success', async () => {
    const { code, printed } = await execute(plan([stage('build', { hello: 'echo hi; echo oops >&2' })]));
    assert.equal(code, 0);
    const lines = printed.split('\n');
    assert.equal(lines[0], `berth: ${repo.dir}/.wharf-ci.yml: 1 stage, 1 step, local runtime`);
    assert.ok(lines.includes('── stage build (1/1)'));
    assert.ok(lines.includes('[build/hello] hi'));
    assert.ok(lines.includes('[build/hello]! oops'));
    assert.match(printed, /^STAGE {2}STEP {3}STATUS {3}DURATION {2}RESULT$/m);
    assert.match(printed, /^build {2}hello {2}success {2}\S+ +exit 0$/m);
    assert.match(printed, /^build succeeded in \S+$/m);
  });

  it('exits 1 when a step fails and names it in the table', async () => {
    const { code, printed } = await execute(
      plan([stage('test', { unit: 'exit 3' }), stage('deploy', { ship: 'true' })]),
    );
    assert.equal(code, 1);
    assert.match(printed, /^test {4}unit {2}failed {3}\S+ +exit 3$/m);
    assert.match(printed, /^deploy {2}ship {2}skipped {2}- +-$/m);
    assert.match(printed, /^build failed after \S+: test\/unit: exited with code 3$/m);
  });

  it('exits 130 when interrupted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { code, printed } = await execute(plan([stage('s', { x: 'true' })]), controller.signal);
    assert.equal(code, 130);
    assert.match(printed, /^build cancelled after/m);
  });
});
