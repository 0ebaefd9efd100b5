// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { berth, fixtureRepo } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';

const git = promisify(execFile);
const DEFINITION = [
  'build:',
  '  shop:',
  '    docker:',
  '      file: Dockerfile',
  '      tag: v1',
  '  show:',
  '    container:',
  '      image: alpine',
  '      cmds: ["echo ${REPO_GROUP} ${BUILD_REF}"]',
  '',
].join('\n');

let home: Awaited<ReturnType<typeof tempDir>>;
let repo: Awaited<ReturnType<typeof fixtureRepo>>;
before(async () => {
  home = await tempDir('berth-home-');
  repo = await fixtureRepo(DEFINITION);
  const inRepo = (...args: string[]) =>
    git('git', ['-C', repo.dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
  await inRepo('add', '.');
  await inRepo('commit', '-q', '-m', 'first');
  await inRepo('remote', 'add', 'origin', 'https://git.example.com/acme/shop.git');
});
after(async () => {
  await repo.remove();
  await home.remove();
});

/** `berth plan --json` in the repo: the docker destination and the container's script. */
async function planned(env: Record<string, string>) {
  const run = await berth(['plan', '--json'], repo.dir, home.dir, { REG_URL: 'reg.example.com', ...env });
  assert.equal(run.code, 0, run.output);
  const plan = JSON.parse(run.output.slice(run.output.indexOf('{')));
  const [docker, show] = plan.stages[0].steps;
  const destination = docker.command[docker.command.indexOf('--destination') + 1];
  return { destination, script: show.command[2], variables: plan.variables };
}

describe('variable precedence of berth plan/run (wharf-ci-format.md "Variables")', () => {
  it('estimates REPO_GROUP/REPO_NAME from git when nothing else sets them', async () => {
    const { destination } = await planned({});
    assert.equal(destination, 'reg.example.com/acme/shop:v1');
  });

  it('WHARF_VAR_<NAME> wins over what berth estimates from git and the folder', async () => {
    const { destination, script } = await planned({
      WHARF_VAR_REPO_NAME: 'app',
      WHARF_VAR_REPO_GROUP: 'team',
    });
    assert.equal(destination, 'reg.example.com/team/app/shop:v1');
    assert.equal(script, 'echo team 0');
  });

  it('.wharf-vars.yml wins over the estimate, WHARF_VAR_ over .wharf-vars.yml, BUILD_REF over both', async () => {
    const vars = join(repo.dir, '.wharf-vars.yml');
    await writeFile(vars, 'vars:\n  REPO_NAME: from-file\n  REPO_GROUP: file-group\n  BUILD_REF: "77"\n');
    try {
      assert.equal((await planned({})).destination, 'reg.example.com/file-group/from-file/shop:v1');
      const both = await planned({ WHARF_VAR_REPO_NAME: 'app', WHARF_VAR_BUILD_REF: '99' });
      assert.equal(both.destination, 'reg.example.com/file-group/app/shop:v1');
      assert.equal(
        both.script,
        'echo file-group 0',
        'BUILD_REF of berth run is 0, whatever the layers below say',
      );
    } finally {
      await writeFile(vars, 'vars: {}\n');
    }
  });
});
