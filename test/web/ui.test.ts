import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/load.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { webAccessFromConfig } from '../../src/web/access/from-config.ts';
import { createUiHandlers, forgeLinks } from '../../src/web/ui.ts';
import { startRedis } from '../support/redis.ts';
import { createFixtureBuilds, serveHandlers } from '../support/web-fixture.ts';
import { seedScene } from '../support/web-scene.ts';

const TOKEN = 'ui-test-token-0123456789';
const builds = createFixtureBuilds();
const ids = seedScene(builds);
let base = '';
let close = async () => {};

before(async () => {
  const config = loadConfig({ BERTH_API_TOKEN: TOKEN, BERTH_PUBLIC_URL: 'https://berth.example.com' });
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const server = await startRedis();
  const redis = new Redis(server.url);
  const logger = pino({ level: 'silent' });
  const { access, flow } = webAccessFromConfig({ config, redis, keys: redisKeys(), logger });
  const served = await serveHandlers(
    createUiHandlers({ config, service: builds, access, flow, logger, metrics }),
  );
  base = served.url;
  close = async () => {
    served.server.close();
    redis.disconnect();
    await server.stop();
  };
});
after(() => close());

test('the UI handlers serve pages, metrics and token-guarded actions from Config', async () => {
  assert.equal((await fetch(`${base}/`)).status, 200);
  assert.match(await (await fetch(`${base}/metrics`)).text(), /berth_builds_total/);
  assert.equal((await fetch(`${base}/api/builds/${ids.queued}/cancel`, { method: 'POST' })).status, 401);
  const signIn = await fetch(`${base}/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${TOKEN}`,
  });
  assert.match(signIn.headers.get('set-cookie') ?? '', /; Secure$/, 'https public URL → Secure cookie');
});

test('commit links follow GitHub Enterprise and GITLAB_URL', () => {
  const key = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  });
  const config = loadConfig({
    APP_ID: '1',
    PRIVATE_KEY: String(key),
    WEBHOOK_SECRET: 'x',
    GHE_HOST: 'ghe.example.com',
    GITLAB_URL: 'https://git.example.com',
    GITLAB_TOKEN: 't',
    GITLAB_WEBHOOK_SECRET: 's',
  });
  assert.deepEqual(forgeLinks(config), {
    github: 'https://ghe.example.com',
    gitlab: 'https://git.example.com',
  });
  assert.deepEqual(forgeLinks(loadConfig({})), {
    github: 'https://github.com',
    gitlab: 'https://gitlab.com',
  });
});
