// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lintPipeline, loadPipeline } from '../../src/pipeline/index.ts';
import { images } from './helpers.ts';

const step = (cmd: string) => `build:\n  s:\n    container:\n      image: alpine\n      cmds: ["${cmd}"]\n`;

describe('loadPipeline and lintPipeline (working tree)', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-load-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function tree(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(root, 't-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  }

  it('takes a folder or the file itself', async () => {
    const dir = await tree({ 'repo/.wharf-ci.yml': step('echo ${REPO_NAME}') });
    for (const path of ['repo', 'repo/.wharf-ci.yml']) {
      const result = await loadPipeline(path, { cwd: dir, images });
      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.file, 'repo/.wharf-ci.yml');
      assert.equal(result.repoDir, join(dir, 'repo'));
      assert.equal(
        result.plan?.stages[0]?.steps[0]?.command[2],
        'echo repo',
        'REPO_NAME falls back to the folder name',
      );
    }
  });

  it('reports a missing file as a diagnostic', async () => {
    const dir = await tree({});
    const result = await loadPipeline('.', { cwd: dir, images });
    assert.equal(result.plan, null);
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0]?.file, '.wharf-ci.yml');
    assert.match(result.diagnostics[0]?.message ?? '', /no such file: .*\.wharf-ci\.yml/);
  });

  it('reads .wharf-vars.yml from the folder, then its parents, then the user config folder', async () => {
    const dir = await tree({
      'a/b/.wharf-ci.yml': step('${V1} ${V2} ${V3} ${V4}'),
      'a/b/.wharf-vars.yml': 'vars:\n  V1: here\n',
      'a/.wharf-vars.yml': 'vars:\n  V1: parent\n  V2: parent\n',
      'config/.wharf-vars.yml': 'vars:\n  V2: user\n  V3: user\n  V4: 4\n',
    });
    const result = await loadPipeline('a/b', {
      cwd: dir,
      images,
      userConfigDir: join(dir, 'config'),
      buildVars: {},
    });
    assert.equal(result.plan?.stages[0]?.steps[0]?.command[2], 'here parent user 4');
  });

  it('reports a broken .wharf-vars.yml in that file', async () => {
    const dir = await tree({ '.wharf-ci.yml': step('x'), '.wharf-vars.yml': 'vars: [not, a, map]\n' });
    const result = await loadPipeline('.', { cwd: dir, images, buildVars: {} });
    assert.equal(result.diagnostics[0]?.file, join(dir, '.wharf-vars.yml'));
    assert.match(result.diagnostics[0]?.message ?? '', /expected a "vars:" map/);
  });

  it('computes the git build variables of the working tree', async () => {
    const dir = await tree({
      '.wharf-ci.yml': step(
        `\\"\${GIT_BRANCH}|\${GIT_SAFEBRANCH}|\${GIT_TAG}|\${GIT_COMMIT_SUBJECT}|\${REPO_GROUP}|\${REPO_NAME}|\${BUILD_REF}\\"`,
      ),
    });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: dir,
        stdio: 'pipe',
      });
    git('init', '-q', '-b', 'feature/login');
    git('add', '.');
    git('commit', '-q', '-m', 'Add login page');
    git('tag', 'v1.2.0');
    git('remote', 'add', 'origin', 'git@gitlab.example.com:acme/web/shop.git');
    const result = await loadPipeline('.', { cwd: dir, images });
    assert.deepEqual(result.diagnostics, []);
    // Plain values are pasted; the subject (spaces) is left for sh to expand from the step's env.
    assert.equal(
      result.plan?.stages[0]?.steps[0]?.command[2],
      '"feature/login|feature-login|v1.2.0|${GIT_COMMIT_SUBJECT}|acme/web|shop|0"',
    );
    assert.equal(result.plan?.stages[0]?.steps[0]?.env.GIT_COMMIT_SUBJECT, 'Add login page');
    assert.match(result.plan?.variables.GIT_COMMIT ?? '', /^[0-9a-f]{40}$/);
  });

  it('lint checks every stage where it runs: without an environment and in each one', async () => {
    const text = [
      'environments:',
      '  dev: {}',
      '  prod: {}',
      'deploy-prod:',
      '  environments: [prod]',
      '  s:',
      '    container: {image: alpine}',
      'build:',
      '  t:',
      '    container: {image: alpine, cmds: [x]}',
    ].join('\n');
    const dir = await tree({ '.wharf-ci.yml': text });
    const lint = await lintPipeline('.', { cwd: dir, images, buildVars: {} });
    assert.deepEqual(
      lint.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`),
      ['7:5 missing required field: "cmds"'],
    );
    const plain = await loadPipeline('.', { cwd: dir, images, buildVars: {} });
    assert.deepEqual(plain.diagnostics, [], 'plan without -e does not look at prod-only stages');
  });

  it('lint --strict turns warnings into errors', async () => {
    const dir = await tree({ '.wharf-ci.yml': step('${nope}') });
    const lint = await lintPipeline('.', { cwd: dir, images, buildVars: {}, strict: true });
    assert.deepEqual(
      lint.diagnostics.map((d) => d.severity),
      ['error'],
    );
  });
});
