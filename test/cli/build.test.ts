import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { until } from '../support/api-client.ts';
import { builtPackage } from '../support/built-package.ts';
import { tempDir } from '../support/engine.ts';
import { freePort, startRedis, type TestRedis } from '../support/redis.ts';
import { exited } from '../support/spawn-worker.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/** `node <pkg>/bin/berth.js ARGS` with a clean environment; never throws on a non-zero exit. */
async function berth(bin: string, args: string[], cwd: string, home: string) {
  const env = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: home };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd, env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('the CLI as `npm run build` makes it', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let bin: string;
  let redis: TestRedis;

  before(async () => {
    work = await tempDir('berth-built-');
    bin = await builtPackage(join(work.dir, 'pkg'));
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
    await work.remove();
  });

  it('runs, lints and reports its version from dist/', async () => {
    const repo = join(work.dir, 'repo');
    await mkdir(repo);
    await run('git', ['init', '-q', repo]);
    const step =
      '  hello:\n    container:\n      image: alpine:3.20\n      cmds:\n        - echo built $BERTH_STEP\n';
    await writeFile(join(repo, '.wharf-ci.yml'), `build:\n${step}`);
    const ran = await berth(bin, ['run', '--runtime', 'local'], repo, work.dir);
    assert.equal(ran.code, 0, ran.output);
    assert.match(ran.output, /^\[build\/hello\] built hello$/m);

    await writeFile(join(repo, 'broken.yml'), 'build:\n  hello: [unclosed\n');
    const lint = await berth(bin, ['lint', 'broken.yml'], repo, work.dir);
    assert.equal(lint.code, 1, lint.output);
    assert.match(lint.output, /^broken\.yml:\d+:\d+: error: /m);

    const version = await berth(bin, ['--version'], repo, work.dir);
    const { version: expected } = (await import(join(root, 'package.json'), { with: { type: 'json' } }))
      .default as { version: string };
    assert.equal(version.output.trim(), expected);
  });

  it('serves the pages with their scripts and styles', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--role', 'web'], {
      env: {
        PATH: process.env.PATH,
        REDIS_URL: redis.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        BERTH_PUBLIC_READ: 'true',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await until(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200);
      const page = await (await fetch(`${base}/`)).text();
      const urls = [...page.matchAll(/\/assets\/[\w.-]+\?v=\w+/g)].map((m) => m[0]);
      assert.ok(
        urls.some((u) => u.startsWith('/assets/style.css')),
        page,
      );
      assert.ok(
        urls.some((u) => u.startsWith('/assets/list.ts')),
        page,
      );
      for (const url of urls) {
        const asset = await fetch(`${base}${url}`);
        assert.equal(asset.status, 200, url);
        await asset.arrayBuffer();
      }
      const script = await fetch(`${base}/assets/list.ts`);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.equal((await fetch(`${base}/assets/serve.ts`)).status, 404);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
    }
  });
});
