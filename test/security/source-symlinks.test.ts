// Issue 15: a symlink in a source reaches a build as a symlink, never as the host file
// it points to; a listed file whose folder leads outside through a symlink is refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { App } from '../../src/app/start.ts';
import { endedBuild, startBuild } from '../support/api-client.ts';
import { berth } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { startRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const git = promisify(execFile);
const TOKEN = 'symlink-test-token-0123456789';
const SECRET = 'HOST-SECRET-4f1c';

/** Prints, for each name, whether the step sees a symlink, a real copy, or nothing. */
const inspect = (names: string[]) =>
  names.map(
    (name) =>
      `if [ -L ${name} ]; then echo "${name}: symlink"; elif [ -e ${name} ]; then echo "${name}: copy"; else echo "${name}: absent"; fi`,
  );

const pipeline = (cmds: string[]) =>
  [
    'build:',
    '  look:',
    '    container:',
    '      image: alpine',
    '      cmds:',
    ...cmds.map((c) => `        - ${JSON.stringify(c)}`),
    '',
  ].join('\n');

let host: Awaited<ReturnType<typeof tempDir>>;
let source: Awaited<ReturnType<typeof tempDir>>;

/** A git repo committing `leak -> <host file>` and `leak-dir -> <host folder>`. */
before(async () => {
  host = await tempDir('berth-host-');
  await writeFile(join(host.dir, 'secret.txt'), `${SECRET}\n`);
  await mkdir(join(host.dir, 'secrets'));
  await writeFile(join(host.dir, 'secrets', 'token'), `${SECRET}\n`);
  source = await tempDir('berth-symlink-src-');
  await writeFile(
    join(source.dir, '.wharf-ci.yml'),
    pipeline(inspect(['leak', 'leak-dir', 'leak-dir/token'])),
  );
  await symlink(join(host.dir, 'secret.txt'), join(source.dir, 'leak'));
  await symlink(join(host.dir, 'secrets'), join(source.dir, 'leak-dir'));
  await git('git', ['init', '-q', '-b', 'main', source.dir]);
  await git('git', ['-C', source.dir, 'add', '-A']);
  await git('git', ['-C', source.dir, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'links']);
});
after(async () => {
  await source.remove();
  await host.remove();
});

async function buildLog(env: Record<string, string>): Promise<{ status: string; log: string }> {
  const redis = await startRedis();
  let app: App | undefined;
  try {
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: source.dir,
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
      ...env,
    });
    const id = await startBuild(app.url, TOKEN, `local:${source.dir}`);
    const { status } = await endedBuild(app.url, id, { token: TOKEN });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const log = await (await fetch(`${app.url}/api/builds/${id}/logs`, { headers })).text();
    return { status, log };
  } finally {
    await app?.close();
    await redis.stop();
  }
}

const LINKS = ['[build/look] leak: symlink', '[build/look] leak-dir: symlink'];

describe('symlinks in a local: source reach the build as symlinks', () => {
  it('berth serve, local runtime', async () => {
    const { status, log } = await buildLog({ BERTH_RUNTIME: 'local' });
    assert.equal(status, 'success', log);
    for (const line of LINKS) assert.ok(log.includes(line), log);
  });

  describe('berth serve, Kubernetes runtime', () => {
    let kube: FakeKube;
    before(async () => {
      kube = await startFakeKube({ namespaces: ['ci'] });
    });
    after(() => kube.close());

    it('packs the symlinks as symlinks into the pod', async () => {
      const { status, log } = await buildLog({
        BERTH_RUNTIME: 'kubernetes',
        KUBECONFIG: kube.kubeconfigPath,
        BERTH_NAMESPACE: 'ci',
      });
      assert.equal(status, 'success', log);
      for (const line of LINKS) assert.ok(log.includes(line), log);
    });

    it('berth run refuses a listed file whose folder is a symlink out of the tree', async () => {
      const home = await tempDir('berth-home-');
      const repo = await tempDir('berth-symlink-run-');
      try {
        await symlink(join(host.dir, 'secrets'), join(repo.dir, 'conf'));
        const definition = ['deploy:', '  apply:', '    kubectl:', '      file: conf/token', ''].join('\n');
        await writeFile(join(repo.dir, '.wharf-ci.yml'), definition);
        const podsBefore = kube.count({ verb: 'create', resource: 'pods' });
        const run = await berth(['run', '--runtime', 'kubernetes', '-n', 'ci'], repo.dir, home.dir, {
          KUBECONFIG: kube.kubeconfigPath,
        });
        assert.notEqual(run.code, 0, run.output);
        assert.match(run.output, /file "conf\/token" is outside the working tree/);
        assert.doesNotMatch(run.output, new RegExp(SECRET));
        assert.equal(kube.count({ verb: 'create', resource: 'pods' }), podsBefore, 'no pod gets the file');
      } finally {
        await repo.remove();
        await home.remove();
      }
    });
  });
});

describe('the bot reads a local: source’s pipeline only from inside the folder', () => {
  it('a .wharf-ci.yml symlinked to a host file is not found, and the host file is not read', async () => {
    const outside = await tempDir('berth-symlink-pipeline-');
    const folder = await tempDir('berth-symlink-src-');
    const redis = await startRedis();
    let app: App | undefined;
    try {
      const hostPipeline = [
        'build:',
        '  s:',
        '    container:',
        '      image: alpine',
        `      cmds: [echo ${SECRET}]`,
      ];
      await writeFile(join(outside.dir, 'pipeline.yml'), `${hostPipeline.join('\n')}\n`);
      await symlink(join(outside.dir, 'pipeline.yml'), join(folder.dir, '.wharf-ci.yml'));
      app = await startServe({
        REDIS_URL: redis.url,
        BERTH_API_TOKEN: TOKEN,
        BERTH_LOCAL_SOURCES: folder.dir,
        BERTH_RUNTIME: 'local',
        BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
      });
      const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
      const ended = await endedBuild(app.url, id, { token: TOKEN });
      const headers = { authorization: `Bearer ${TOKEN}` };
      const log = await (await fetch(`${app.url}/api/builds/${id}/logs`, { headers })).text();
      assert.equal(ended.reason, 'config', JSON.stringify(ended));
      assert.match(ended.message ?? '', /\.wharf-ci\.yml not found/);
      assert.ok(!log.includes(SECRET), log);
    } finally {
      await app?.close();
      await redis.stop();
      await folder.remove();
      await outside.remove();
    }
  });
});

describe('berth run', () => {
  it('copies a symlinked folder as a symlink, outside a git work tree too, writing nothing through it', async () => {
    const home = await tempDir('berth-home-');
    const repo = await tempDir('berth-symlink-run-');
    try {
      await writeFile(
        join(repo.dir, '.wharf-ci.yml'),
        pipeline(inspect(['leak', 'leak-dir', 'leak-dir/token'])),
      );
      await symlink(join(host.dir, 'secret.txt'), join(repo.dir, 'leak'));
      await symlink(join(host.dir, 'secrets'), join(repo.dir, 'leak-dir'));
      const token = join(host.dir, 'secrets', 'token');
      const before = await stat(token);
      const run = await berth(['run', '--no-gitignore'], repo.dir, home.dir);
      assert.equal(run.code, 0, run.output);
      assert.equal(
        (await stat(token)).mtimeMs,
        before.mtimeMs,
        'the host file was not written through the link',
      );
      assert.match(run.output, /^\[build\/look\] leak: symlink$/m);
      assert.match(run.output, /^\[build\/look\] leak-dir: symlink$/m);
    } finally {
      await repo.remove();
      await home.remove();
    }
  });

  it('refuses a listed file whose folder is a symlink out of the tree (local runtime)', async () => {
    const home = await tempDir('berth-home-');
    const repo = await tempDir('berth-symlink-run-');
    try {
      await symlink(join(host.dir, 'secrets'), join(repo.dir, 'conf'));
      const definition = ['deploy:', '  apply:', '    kubectl:', '      file: conf/token', ''].join('\n');
      await writeFile(join(repo.dir, '.wharf-ci.yml'), definition);
      const bin = join(home.dir, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'kubectl'), '#!/bin/sh\ncat "$@" 2>/dev/null; cat */token\n', {
        mode: 0o755,
      });
      const run = await berth(['run'], repo.dir, home.dir, { PATH: `${bin}:${process.env.PATH}` });
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, /file "conf\/token" is outside the working tree/);
      assert.doesNotMatch(run.output, new RegExp(SECRET));
    } finally {
      await repo.remove();
      await home.remove();
    }
  });
});
