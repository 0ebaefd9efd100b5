import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type App, startApp } from '../../src/app/start.ts';
import { loadConfig } from '../../src/config/load.ts';
import { redisKeys } from '../../src/redis-keys.ts';
import { fixture, postHook } from '../forge/gitlab/helpers.ts';
import { endedBuild, startBuild, until } from '../support/api-client.ts';
import { FakeGitlab } from '../support/fake-gitlab.ts';
import { quietLogger } from '../support/queue-harness.ts';
import { allKeys, startRedis, type TestRedis } from '../support/redis.ts';
import { scriptedRunner } from '../support/scripted-runner.ts';

const TOKEN = 'prefix-test-token-0123456789';
const SECRET = 'gitlab-hook-secret-42';
const HEAD = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
const PREFIXES = ['alpha', 'beta'] as const;

describe('two Berths with different BERTH_REDIS_PREFIX on one Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  let fake: FakeGitlab;
  let folder: string;
  const apps = new Map<string, App>();

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    fake = await new FakeGitlab().start();
    fake.addProject(15, 'mike/diaspora');
    fake.addCommit(15, HEAD, { '.wharf-ci.yml': 'build:\n  a:\n    container:\n      image: alpine\n' }, 'c');
    folder = await mkdtemp(join(tmpdir(), 'berth-prefix-'));
    for (const prefix of PREFIXES) {
      const config = loadConfig({
        REDIS_URL: redis.url,
        BERTH_REDIS_PREFIX: prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        BERTH_API_TOKEN: TOKEN,
        BERTH_LOCAL_SOURCES: folder,
        GITLAB_URL: fake.url,
        GITLAB_TOKEN: fake.token,
        GITLAB_WEBHOOK_SECRET: SECRET,
      });
      const app = await startApp({
        config,
        role: 'all',
        logger: quietLogger,
        path: '',
        workerRuntime: async () => ({ runner: scriptedRunner, runtime: 'scripted' }),
      });
      apps.set(prefix, app);
    }
  });
  after(async () => {
    for (const app of apps.values()) await app.close();
    client.disconnect();
    await redis.stop();
    await fake.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('each keeps its builds, events, logs, report state and queues under its own prefix', async () => {
    const local = new Map<string, string>();
    for (const [prefix, app] of apps) {
      const id = await startBuild(app.url, TOKEN, `local:${folder}`);
      assert.equal((await endedBuild(app.url, id, { token: TOKEN })).status, 'success');
      local.set(prefix, id);
      const hook = await postHook(app.url, 'Push Hook', fixture('push', { commits: [] }), { token: SECRET });
      assert.equal(hook.status, 202);
    }
    for (const app of apps.values()) {
      await until(async () => {
        const [build] = await app.stack.service.list({ forge: 'gitlab', sha: HEAD });
        return build?.status === 'success';
      });
    }

    // Each sees only its own builds.
    for (const [prefix, app] of apps) {
      const ids = (await app.stack.service.list({})).map((r) => r.id);
      const other = local.get(prefix === 'alpha' ? 'beta' : 'alpha');
      assert.ok(ids.includes(local.get(prefix) as string), `${prefix} lists its own build`);
      assert.ok(!ids.includes(other as string), `${prefix} does not list the other's build`);
    }

    const keys = await allKeys(client);
    const outside = keys.filter((k) => !PREFIXES.some((p) => k.startsWith(`{${p}}:`)));
    assert.deepEqual(outside, [], 'every key is under one of the two prefixes');
    for (const prefix of PREFIXES) {
      const plan = redisKeys(prefix);
      const own = keys.filter((k) => k.startsWith(`{${prefix}}:`));
      const id = local.get(prefix) as string;
      for (const expected of [plan.builds.build(id), plan.logs(id), plan.builds.recent]) {
        assert.ok(own.includes(expected), `${prefix} has ${expected}`);
      }
      for (const family of [
        `${plan.bullPrefix}:${plan.queues.builds}:`,
        `${plan.bullPrefix}:events-gitlab:`,
      ]) {
        assert.ok(
          own.some((k) => k.startsWith(family)),
          `${prefix} has BullMQ keys ${family}…`,
        );
      }
      for (const family of [`{${prefix}}:policy:delivery:`, `{${prefix}}:report:status:`]) {
        assert.ok(
          own.some((k) => k.startsWith(family)),
          `${prefix} has ${family}…`,
        );
      }
    }

    const channels = ((await client.pubsub('CHANNELS')) as string[]).sort();
    assert.deepEqual(channels, PREFIXES.map((p) => redisKeys(p).cancelChannel).sort());
  });

  it('the key plan names nothing outside its prefix', () => {
    const plan = redisKeys('gamma');
    const repo = { forge: 'gitlab', repo: 'g/p' };
    const request = { forge: 'gitlab', repo: 'g/p', ref: 'main', sha: 'a'.repeat(40), change: 3 };
    const names = [
      plan.bullPrefix,
      plan.builds.build('b1'),
      plan.builds.buildPrefix,
      plan.builds.refCounter(request),
      plan.builds.history('g/p'),
      plan.builds.recent,
      plan.builds.active,
      plan.builds.activeIn('g/p'),
      plan.builds.lane(request),
      plan.builds.delivery('d1'),
      plan.builds.dedupe(request),
      plan.builds.cancelled('b1'),
      plan.cancelChannel,
      plan.logs('b1'),
      plan.logWriters('b1'),
      plan.policy.delivery(repo, 'd1'),
      plan.policy.approval(repo, 3),
      plan.policy.head(repo, 3),
      plan.policy.permission(repo, 'Root'),
      plan.policy.reply(repo, 3, 'waiting'),
      plan.policy.skipped(repo, 'abc'),
      plan.report.lock('k'),
      plan.report.status('k'),
      plan.report.check('b1'),
      plan.report.summary('k'),
      plan.commitFile(repo, 'abc', '.wharf-ci.yml'),
      plan.logsWake,
      plan.slots,
      plan.session('s'),
      plan.oauth('o'),
      plan.access('s', 'gitlab', 'g/p'),
    ];
    assert.deepEqual(
      names.filter((n) => !n.startsWith('{gamma}:')),
      [],
    );
    assert.equal(new Set(names).size, names.length, 'no two names collide');
  });
});
