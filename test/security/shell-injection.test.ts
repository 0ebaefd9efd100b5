// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write literal ${var} text
// Issue 15: a commit subject, branch name or input value is data, never code: `cmds` get
// it through an environment variable that sh expands, not pasted into the script.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { App } from '../../src/app/start.ts';
import { endedBuild } from '../support/api-client.ts';
import { berth } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';
import { startFakeKube } from '../support/fake-kube/index.ts';
import { startRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const git = promisify(execFile);

let home: Awaited<ReturnType<typeof tempDir>>;
let repo: Awaited<ReturnType<typeof tempDir>>;
/** The file an injected command would create. */
let pwned: string;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const CMDS = [
  'echo "quoted: ${GIT_COMMIT_SUBJECT}"',
  "echo single: '${GIT_COMMIT_SUBJECT}'",
  'echo unquoted: ${GIT_COMMIT_SUBJECT}',
  'echo "branch: ${GIT_BRANCH}"',
  'echo "note: ${note}"',
];

const PIPELINE = [
  'inputs:',
  '  - name: note',
  '    type: string',
  '    default: none',
  'build:',
  '  show:',
  '    container:',
  '      image: alpine',
  '      cmds:',
  ...CMDS.map((cmd) => `        - ${JSON.stringify(cmd)}`),
  '',
].join('\n');

before(async () => {
  home = await tempDir('berth-home-');
  repo = await tempDir('berth-inject-');
  pwned = join(repo.dir, 'pwned');
  await writeFile(join(repo.dir, '.wharf-ci.yml'), PIPELINE);
  await git('git', ['init', '-q', '-b', 'main', repo.dir]);
  await git('git', ['-C', repo.dir, 'add', '-A']);
  const subject = `Fix "; touch ${pwned}; echo "`;
  await git('git', ['-C', repo.dir, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', subject]);
});
after(async () => {
  await repo.remove();
  await home.remove();
});

describe('shell injection through variables', () => {
  it('berth plan shows the subject as an environment variable, not in the script', async () => {
    const plan = await berth(['plan'], repo.dir, home.dir);
    assert.equal(plan.code, 0, plan.output);
    assert.doesNotMatch(plan.output, /echo "quoted: Fix "; touch/);
    assert.match(plan.output, /echo "quoted: \$\{GIT_COMMIT_SUBJECT\}"/);
    assert.match(plan.output, /GIT_COMMIT_SUBJECT=Fix "; touch/);
  });

  it('berth lint warns about the forge-controlled variable outside double quotes, at its position', async () => {
    const lint = await berth(['lint'], repo.dir, home.dir);
    assert.match(
      lint.output,
      /^\.wharf-ci\.yml:12:27: warning: "\$\{GIT_COMMIT_SUBJECT\}" comes from the forge and is not in double quotes/m,
    );
    assert.equal(lint.output.match(/comes from the forge/g)?.length, 1, lint.output);
  });

  it('berth run prints the subject and the input as text and runs none of it', async () => {
    const run = await berth(['run', '-i', 'note=$(touch pwned-too)`touch pwned-too`'], repo.dir, home.dir);
    assert.equal(run.code, 0, run.output);
    assert.equal(await exists(pwned), false, 'the subject ran as a command');
    assert.equal(await exists(join(repo.dir, 'pwned-too')), false, 'the input ran as a command');
    const subject = `Fix "; touch ${pwned}; echo "`;
    assert.ok(run.output.includes(`[build/show] quoted: ${subject}\n`), run.output);
    assert.ok(run.output.includes(`[build/show] single: ${subject}\n`), run.output);
    assert.ok(run.output.includes('[build/show] note: $(touch pwned-too)`touch pwned-too`\n'), run.output);
  });

  it('berth run on Kubernetes gives the pod the subject as an env var, run by nothing', async () => {
    const kube = await startFakeKube({ namespaces: ['ci'] });
    try {
      const run = await berth(
        ['run', '--runtime', 'kubernetes', '-n', 'ci', '-i', 'note=$(HOME) $(touch pwned-too)'],
        repo.dir,
        home.dir,
        { KUBECONFIG: kube.kubeconfigPath },
      );
      assert.equal(run.code, 0, run.output);
      assert.equal(await exists(pwned), false, 'the subject ran as a command');
      const subject = `Fix "; touch ${pwned}; echo "`;
      assert.ok(run.output.includes(`[build/show] quoted: ${subject}\n`), run.output);
      assert.ok(run.output.includes('[build/show] note: $(HOME) $(touch pwned-too)\n'), run.output);
    } finally {
      await kube.close();
    }
  });

  it('a bot build with a malicious branch name and commit subject runs neither', async () => {
    const redis = await startRedis();
    const token = 'inject-test-token-0123456789';
    const branch = `x;touch\${IFS}${pwned}-branch`;
    let app: App | undefined;
    try {
      app = await startServe({
        REDIS_URL: redis.url,
        BERTH_API_TOKEN: token,
        BERTH_LOCAL_SOURCES: repo.dir,
        BERTH_RUNTIME: 'local',
        BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
      });
      const headers = { authorization: `Bearer ${token}` };
      const res = await fetch(`${app.url}/api/builds`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ source: `local:${repo.dir}`, ref: branch }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = (await res.json()) as { id: string };
      const ended = await endedBuild(app.url, id, { token });
      const log = await (await fetch(`${app.url}/api/builds/${id}/logs`, { headers })).text();
      assert.equal(ended.status, 'success', log);
      assert.equal(await exists(pwned), false, 'the subject ran as a command');
      assert.equal(await exists(`${pwned}-branch`), false, 'the branch ran as a command');
      assert.ok(log.includes(`[build/show] branch: ${branch}\n`), log);
      assert.ok(log.includes(`[build/show] quoted: Fix "; touch ${pwned}; echo "\n`), log);
    } finally {
      await app?.close();
      await redis.stop();
    }
  });
});
