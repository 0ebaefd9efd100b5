import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { endedBuild, startBuild, until } from '../support/api-client.ts';
import { freePort, startRedis, type TestRedis } from '../support/redis.ts';
import { exited } from '../support/spawn-worker.ts';

const TOKEN = 'serve-test-token-0123456789';
const ECHO_BUILD_REF = new URL('../fixtures/echo-build-ref.wharf-ci.yml', import.meta.url);
const berth = new URL('../../bin/berth.js', import.meta.url).pathname;

describe('berth serve', () => {
  let redis: TestRedis;
  let root: string;

  before(async () => {
    redis = await startRedis();
    root = await mkdtemp(join(tmpdir(), 'berth-serve-'));
  });
  after(async () => {
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function repo(name: string, pipeline: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await writeFile(join(dir, '.wharf-ci.yml'), pipeline);
    return dir;
  }

  it('runs builds from the API on the local runtime and exits 0 on SIGTERM', async () => {
    const good = await repo('good', await readFile(ECHO_BUILD_REF, 'utf8'));
    const bad = await repo('bad', 'build:\n  hello:\n    container:\n      cmds: []\n');
    const port = await freePort();
    const child = spawn(process.execPath, [berth, 'serve'], {
      env: {
        PATH: process.env.PATH,
        REDIS_URL: redis.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        BERTH_RUNTIME: 'local',
        BERTH_API_TOKEN: TOKEN,
        BERTH_LOCAL_SOURCES: root,
        BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await until(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200);
      assert.match(output, /"runtime":"local"/);
      assert.match(output, /"forge":"github","enabled":false,"by":"set APP_ID/);
      const start = (dir: string) => startBuild(base, TOKEN, `local:${dir}`);
      const finished = (id: string) => endedBuild(base, id, { token: TOKEN });
      const ok = await start(good);
      assert.equal((await finished(ok)).status, 'success');
      assert.match(
        await (
          await fetch(`${base}/api/builds/${ok}/logs`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).text(),
        /\[build\/hello\] hello build 1\n/,
      );
      const broken = await finished(await start(bad));
      assert.deepEqual([broken.status, broken.reason], ['failed', 'config']);
      assert.match(broken.message ?? '', /\.wharf-ci\.yml:\d+:\d+: error: /);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
    }
  });

  it('exits 0 within its bound on SIGTERM while Redis is down', async () => {
    const own = await startRedis();
    const port = await freePort();
    const child = spawn(process.execPath, [berth, 'serve', '--role', 'worker'], {
      env: {
        PATH: process.env.PATH,
        REDIS_URL: own.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        BERTH_RUNTIME: 'local',
        BERTH_SHUTDOWN_TIMEOUT_SECONDS: '1',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      await until(
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200,
      );
      await own.kill();
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited(child),
        new Promise<string>((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000)),
      ]);
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
      await own.stop();
    }
  });
});
