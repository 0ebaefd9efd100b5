import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { forgePlugins } from '../../../src/app/plugins.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { redisKeys } from '../../../src/redis-keys.ts';
import { until } from '../../support/api-client.ts';
import { FakeGithub } from '../../support/fake-github.ts';
import { quietLogger, testStack } from '../../support/queue-harness.ts';
import { startRedis } from '../../support/redis.ts';
import { example } from './harness.ts';

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs1',
  format: 'pem',
});

test('without GitHub settings there is no plug-in', async () => {
  const plugins = await forgePlugins({
    config: loadConfig({}),
    logger: quietLogger,
    service: null as never,
    redis: null as never,
    keys: redisKeys(),
    bull: null as never,
    logs: null as never,
  });
  assert.deepEqual(
    plugins.map((p) => p.name),
    ['local'],
  );
});

test('from APP_ID, PRIVATE_KEY, WEBHOOK_SECRET and GHE_HOST, with Probot’s own Octokit, a push is queued and reported', async () => {
  const redis = await startRedis();
  const stack = testStack(redis.url);
  const fake = new FakeGithub();
  const host = new URL(await fake.start()).host;
  const sha = 'f'.repeat(40);
  fake.addFile(sha, '.wharf-ci.yml', 'build:\n  a:\n    container:\n      image: alpine\n');
  const config = loadConfig({
    APP_ID: '1',
    PRIVATE_KEY: String(key).replace(/\n/g, '\\n'),
    WEBHOOK_SECRET: 'hush',
    GHE_HOST: host,
    GHE_PROTOCOL: 'http',
    BERTH_PUBLIC_URL: 'https://ci.example.com',
  });
  const plugins = await forgePlugins({
    config,
    logger: quietLogger,
    service: stack.service,
    redis: stack.redis,
    keys: stack.keys,
    bull: stack.bull,
    logs: stack.logs,
  });
  const plugin = plugins.find((p) => p.name === 'github');
  assert.ok(plugin);
  const server = createServer(async (req, res) => {
    if (!(await plugin.handlers[0]!(req, res))) res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const payload = example('push', undefined, (p) => String(p.ref).startsWith('refs/heads/'));
    Object.assign(payload, { after: sha, deleted: false });
    const body = JSON.stringify(payload);
    const { port } = server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'cfg-1',
        'x-hub-signature-256': await sign('hush', body),
      },
      body,
    });
    assert.equal(response.status, 200);
    await until(async () => fake.statuses.length > 0);
    const [record] = await stack.service.list({ repo: 'acme/app', sha });
    assert.equal(record?.status, 'queued');
    assert.deepEqual(
      fake.statuses.map((s) => [s.state, s.description, s.target_url]),
      [['pending', 'queued', `https://ci.example.com/builds/${record?.id}`]],
    );
    assert.deepEqual(fake.unexpected, []);
  } finally {
    await plugin.close?.();
    server.closeAllConnections();
    server.close();
    await fake.stop();
    await stack.close();
    await redis.stop();
  }
});
