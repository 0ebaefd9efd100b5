import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('comes up on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.http.port, 3000);
    assert.equal(config.http.host, 'localhost');
    assert.equal(config.redisUrl, null);
    assert.equal(config.github, null);
    assert.equal(config.gitlab, null);
    assert.equal(config.timeouts.stepMs, 60 * 60_000);
    assert.equal(config.timeouts.buildMs, 120 * 60_000);
    assert.ok(Object.isFrozen(config.timeouts));
  });

  it('names every invalid variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', BERTH_CONCURRENCY: '-1', BERTH_NODE_SELECTOR: '{nope' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /PORT/.test(error.message) &&
        /BERTH_CONCURRENCY/.test(error.message) &&
        /BERTH_NODE_SELECTOR: is not valid JSON/.test(error.message),
    );
  });

  it('reads Redis behind Sentinel or a Redis Cluster, and refuses settings that do not go together', () => {
    const sentinel = loadConfig({
      REDIS_SENTINELS: 'sentinel-0:26379, [::1]:26380',
      REDIS_SENTINEL_NAME: 'berth',
      REDIS_URL: 'redis://berth:pw@ignored:6379/2',
    });
    assert.deepEqual(sentinel.redisHa, {
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'berth',
      url: 'redis://berth:pw@ignored:6379/2',
      sentinelPassword: null,
    });
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' });
    assert.deepEqual(cluster.redisHa, {
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      url: null,
    });
    assert.equal(loadConfig({}).redisHa, null);
    const refused = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
      );
    refused({ REDIS_SENTINELS: 'a:26379' }, /REDIS_SENTINEL_NAME: must name the primary/);
    refused({ REDIS_SENTINEL_NAME: 'berth' }, /REDIS_SENTINELS: must list the sentinels/);
    refused({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'x', REDIS_CLUSTER_NODES: 'b:2' }, /choose one/);
    refused({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://a:7000/3' }, /only database 0/);
    refused({ REDIS_CLUSTER_NODES: 'a:70000' }, /REDIS_CLUSTER_NODES: "a:70000" is not host:port/);
    refused({ REDIS_SENTINELS: 'just-a-host', REDIS_SENTINEL_NAME: 'x' }, /"just-a-host" is not host:port/);
    refused(
      { REDIS_CLUSTER_NODES: 'a:7000', BERTH_REDIS_WAIT_REPLICAS: '1' },
      /not supported on a Redis Cluster/,
    );
  });

  it('waits for one replica per write with Sentinel, for none otherwise, unless told', () => {
    const sentinel = { REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_NAME: 'berth' };
    assert.deepEqual(loadConfig(sentinel).redisWait, { replicas: 1, timeoutMs: 1000 });
    assert.deepEqual(
      loadConfig({ ...sentinel, BERTH_REDIS_WAIT_REPLICAS: '0', BERTH_REDIS_WAIT_MS: '250' }).redisWait,
      { replicas: 0, timeoutMs: 250 },
    );
    assert.deepEqual(loadConfig({}).redisWait, { replicas: 0, timeoutMs: 1000 });
    assert.deepEqual(loadConfig({ BERTH_REDIS_WAIT_REPLICAS: '2' }).redisWait, {
      replicas: 2,
      timeoutMs: 1000,
    });
    assert.throws(() => loadConfig({ BERTH_REDIS_WAIT_REPLICAS: '-1' }), /BERTH_REDIS_WAIT_REPLICAS/);
  });

  it('enables a forge only when all its credentials are set', () => {
    assert.equal(loadConfig({ APP_ID: '1', WEBHOOK_SECRET: 's' }).github, null);
    const github = loadConfig({
      APP_ID: '1',
      PRIVATE_KEY: 'a\\nb',
      WEBHOOK_SECRET: 's',
      GHE_HOST: 'ghe.local',
    }).github;
    assert.deepEqual(github, {
      appId: '1',
      privateKey: 'a\nb',
      webhookSecret: 's',
      baseUrl: 'https://ghe.local/api/v3',
    });
    assert.ok(loadConfig({ GITLAB_TOKEN: 't', GITLAB_WEBHOOK_SECRET: 's' }).gitlab);
  });

  it('collects WHARF_VAR_* and configured pipeline variables', () => {
    const config = loadConfig({ WHARF_VAR_REG_INSECURE: 'true', WHARF_VAR_X: '1', CHART_REPO: 'https://c' });
    assert.deepEqual(config.pipelineVars.wharfVars, { REG_INSECURE: 'true', X: '1' });
    assert.deepEqual(config.pipelineVars.configured, { CHART_REPO: 'https://c' });
  });
});
