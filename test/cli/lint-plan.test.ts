// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/berth.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../pipeline/fixtures/', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('berth lint / berth plan', () => {
  let dir: string;
  /** Runs the real CLI in a copy of the fixtures (outside any git work tree). */
  const berth = (args: string[], env: Record<string, string> = {}) =>
    new Promise<Run>((resolve) => {
      const childEnv = { PATH: process.env.PATH ?? '', HOME: dir, ...env };
      execFile(process.execPath, [BIN, ...args], { cwd: dir, env: childEnv }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
    await cp(FIXTURES, dir, { recursive: true });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lint: exit 0 for a valid file, warnings printed GCC-style', async () => {
    const run = await berth(['lint', 'warnings']);
    assert.equal(run.code, 0);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      'warnings/.wharf-ci.yml:5:7: warning: unknown field "imagePullPolicy" for a container step (ignored) [build/compile/container/imagePullPolicy]',
      'warnings/.wharf-ci.yml:8:35: warning: undefined variable "BUILD_MODE"; the text is kept as is [build/compile/container/cmds/1]',
    ]);
    assert.match(run.stderr, /0 errors, 2 warnings/);
  });

  it('lint --strict: warnings become errors, exit 1', async () => {
    const run = await berth(['lint', 'warnings/.wharf-ci.yml', '--strict']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^warnings\/\.wharf-ci\.yml:5:7: error: unknown field/m);
  });

  it('lint: exit 1 with every error, sorted by position', async () => {
    const run = await berth(['lint', 'invalid'], { REG_URL: 'registry.test' });
    assert.equal(run.code, 1);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      'invalid/.wharf-ci.yml:6:5: error: missing required field: "cmds" [build/test-wharfable/container/cmds]',
      'invalid/.wharf-ci.yml:10:24: error: environment "qa" is not defined under the root "environments" (known: prod) [deploy/environments/1]',
      'invalid/.wharf-ci.yml:11:12: error: invalid runs-if "sometimes": expected success, fail or always [deploy/runs-if]',
      'invalid/.wharf-ci.yml:13:5: error: unknown step type "terraform" (expected one of container, docker, helm, helm-package, kubectl, nuget-package) [deploy/app/terraform]',
      'invalid/.wharf-ci.yml:16:5: error: missing required field: "file" [deploy/push/docker/file]',
      'invalid/.wharf-ci.yml:16:5: warning: undefined variable "REPO_GROUP" (in the default of "group"); the text is kept as is [deploy/push/docker/group]',
    ]);
  });

  it('lint: valid real-world shapes pass', async () => {
    const env = { REG_URL: 'registry.test', CHART_REPO: 'https://charts.test', WHARF_VAR_REPO_GROUP: 'acme' };
    for (const fixture of ['container-build-test', 'helm-deploy', 'helm-package', 'inputs']) {
      const run = await berth(['lint', fixture], env);
      assert.equal(run.code, 0, `${fixture}: ${run.stdout}`);
    }
  });

  it('lint: a missing file is an error, not a crash', async () => {
    const run = await berth(['lint', 'nowhere']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^nowhere:1:1: error: no such file: /);
  });

  it('usage errors exit 2 with a hint', async () => {
    for (const args of [
      ['lint', '--bogus'],
      ['plan', '-i', 'novalue'],
      ['lint', 'a', 'b'],
      ['plan', '-e'],
    ]) {
      const run = await berth(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /Run 'berth (lint|plan) --help' for usage\./);
    }
  });

  it('--help explains every flag', async () => {
    const lint = await berth(['lint', '--help']);
    assert.equal(lint.code, 0);
    assert.match(lint.stdout, /--strict/);
    const plan = await berth(['plan', '--help']);
    for (const flag of ['--environment', '--input', '--stage', '--json', '--strict'])
      assert.match(plan.stdout, new RegExp(flag));
    const top = await berth(['--help']);
    assert.match(top.stdout, /lint \[path\]/);
  });

  it('plan: prints stages with runs-if, steps, image, command, env and mounts', async () => {
    const run = await berth(['plan', 'helm-deploy', '-e', 'prod'], {
      CHART_REPO: 'https://charts.test',
      REG_URL: 'registry.test',
      WHARF_VAR_REPO_GROUP: 'acme',
      WHARF_VAR_GIT_COMMIT: 'abc123',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^stage build \(runs if: success\)$/m);
    assert.match(run.stdout, /^ {2}step shop \[helm\]$/m);
    assert.match(
      run.stdout,
      /--namespace shop-prod --repo https:\/\/charts\.test\/acme --version 2\.1\.0 --set image\.tag=abc123 --set replicaCount=3/,
    );
    assert.match(run.stdout, /runs: {4}kubectl apply -n shop-prod -f deploy\/configmap\.yaml/);
    assert.match(run.stdout, /^stage smoke-test/m);
    assert.match(run.stdout, /mount: {3}\/root\/\.kube ← config map kubectl-config/);
    const dev = await berth(['plan', 'helm-deploy', '-e', 'dev'], {
      CHART_REPO: 'c',
      REG_URL: 'r',
      WHARF_VAR_REPO_GROUP: 'g',
    });
    assert.doesNotMatch(dev.stdout, /smoke-test/);
  });

  it('plan: -s picks one stage; --json prints the BuildPlan; password values are masked', async () => {
    const run = await berth([
      'plan',
      'inputs',
      '-i',
      'token=hunter2',
      '-i',
      'retries=5',
      '-s',
      'release',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout);
    assert.deepEqual(
      plan.stages.map((s: { name: string }) => s.name),
      ['release'],
    );
    assert.equal(plan.inputs.retries, 5);
    assert.deepEqual(plan.secretInputs, ['token']);
    assert.doesNotMatch(run.stdout, /hunter2/);
    assert.match(plan.stages[0].steps[0].command[2], /test -n "\*\*\*"/);
    const human = await berth(['plan', 'inputs', '-i', 'token=hunter2']);
    assert.doesNotMatch(human.stdout, /hunter2/);
    assert.match(human.stdout, /token=\*\*\*/);
  });

  it('plan: an invalid file prints the same errors as lint on stderr and exits 1', async () => {
    const run = await berth(['plan', 'inputs', '-i', 'retries=many', '-i', 'nope=1']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /inputs\/\.wharf-ci\.yml:1:1: error: value given for undeclared input "nope"/);
    assert.match(run.stderr, /error: input "retries" must be a number, got "many"/);
    const unknownEnv = await berth(['plan', 'helm-deploy', '-e', 'qa']);
    assert.equal(unknownEnv.code, 1);
    assert.match(unknownEnv.stderr, /unknown environment "qa" \(defined: dev, prod\)/);
  });
});
