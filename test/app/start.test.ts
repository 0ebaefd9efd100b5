import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { startApp } from '../../src/app/start.ts';
import { loadConfig } from '../../src/config/load.ts';
import { endedBuild, startBuild } from '../support/api-client.ts';
import { quietLogger } from '../support/queue-harness.ts';
import { startRedis } from '../support/redis.ts';
import { scriptedRunner } from '../support/scripted-runner.ts';

const TOKEN = 'app-test-token-0123456789';
const workerRuntime = async () => ({ runner: scriptedRunner, runtime: 'scripted' });

const reachable = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('startApp', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'berth-app-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('starts its own redis-server without REDIS_URL, runs a build from the API and stops everything', async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: folder,
    });
    const app = await startApp({
      config,
      role: 'all',
      logger: quietLogger,
      path: process.env.PATH,
      workerRuntime,
    });
    const { redis } = app.stack;
    assert.ok(!(redis instanceof Cluster), 'the embedded Redis is one server');
    const redisUrl = `redis://127.0.0.1:${redis.options.port}`;
    try {
      const id = await startBuild(app.url, TOKEN, `local:${folder}`);
      assert.equal((await endedBuild(app.url, id, { token: TOKEN })).status, 'success');
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
    } finally {
      await app.close();
    }
    assert.equal(await reachable(redisUrl), false, 'the embedded redis-server is still running');
  });

  it('runs web and worker roles as separate apps on one Redis', async () => {
    const redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      PORT: '0',
      HOST: '127.0.0.1',
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: folder,
    };
    const web = await startApp({
      config: loadConfig(env),
      role: 'web',
      logger: quietLogger,
      path: '',
      workerRuntime,
    });
    const worker = await startApp({
      config: loadConfig(env),
      role: 'worker',
      logger: quietLogger,
      path: '',
      workerRuntime,
    });
    try {
      assert.notEqual(worker.url, web.url);
      const ready = (await (await fetch(`${web.url}/readyz`)).json()) as { checks: Record<string, boolean> };
      assert.deepEqual(ready.checks, { redis: true });
      const workerReady = await fetch(`${worker.url}/readyz`);
      assert.equal(workerReady.status, 200);
      assert.deepEqual(((await workerReady.json()) as { checks: unknown }).checks, {
        redis: true,
        worker: true,
      });
      const res = await fetch(`${web.url}/api/builds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ source: `local:${folder}`, ref: 'split' }),
      });
      const { id } = (await res.json()) as { id: string };
      let status = '';
      for (let i = 0; i < 200 && status !== 'success'; i++) {
        status = (await web.stack.store.get(id))?.status ?? '';
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(status, 'success');
      // Metrics are per process: the worker that ran the build counts it, the web does not.
      const finished = /^berth_builds_total\{result="success"\} 1$/m;
      let workerMetrics = '';
      for (let i = 0; i < 100 && !finished.test(workerMetrics); i++) {
        workerMetrics = await (await fetch(`${worker.url}/metrics`)).text();
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.match(workerMetrics, finished);
      assert.doesNotMatch(await (await fetch(`${web.url}/metrics`)).text(), finished);
      assert.equal((await fetch(`${worker.url}/api/builds`)).status, 404, 'the worker serves no API');
    } finally {
      await worker.close();
      await web.close();
      await redis.stop();
    }
  });

  it('the worker role serves /healthz, /readyz and /metrics on PORT', async () => {
    const redis = await startRedis();
    const worker = await startApp({
      config: loadConfig({ REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1' }),
      role: 'worker',
      logger: quietLogger,
      path: '',
      workerRuntime,
    });
    try {
      assert.deepEqual(await (await fetch(`${worker.url}/healthz`)).json(), { ok: true });
      const ready = await fetch(`${worker.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { ok: true, checks: { redis: true, worker: true } });
      assert.match(await (await fetch(`${worker.url}/metrics`)).text(), /^berth_queue_depth 0$/m);
    } finally {
      await worker.close();
      await redis.stop();
    }
  });

  it('is not ready while Redis is gone, stays alive, and a scrape does not hang on Redis', async () => {
    const redis = await startRedis();
    const app = await startApp({
      config: loadConfig({ REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1' }),
      role: 'web',
      logger: quietLogger,
      path: '',
      workerRuntime,
    });
    try {
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
      await redis.kill();
      const down = await fetch(`${app.url}/readyz`);
      assert.equal(down.status, 503);
      assert.deepEqual(await down.json(), { ok: false, checks: { redis: false } });
      assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
      const started = Date.now();
      assert.equal((await fetch(`${app.url}/metrics`)).status, 200);
      assert.ok(Date.now() - started < 5000, 'the queue depth sample gives up on an unreachable Redis');
      await redis.restart();
    } finally {
      await app.close();
      await redis.stop();
    }
  });

  it('says REDIS_URL when there is no redis and no redis-server on PATH', async () => {
    const config = loadConfig({ PORT: '0' });
    await assert.rejects(
      startApp({ config, role: 'web', logger: quietLogger, path: '/nonexistent', workerRuntime }),
      /REDIS_URL is not set and no redis-server is on PATH/,
    );
  });
});
