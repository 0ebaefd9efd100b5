import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEnv } from '../../src/config/schema.ts';

const problems = (env: Record<string, string>) => {
  const parsed = parseEnv(env);
  return parsed.ok ? [] : parsed.problems;
};
const values = (env: Record<string, string>) => {
  const parsed = parseEnv(env);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.values;
};

describe('parseEnv', () => {
  it('takes a Redis key prefix of letters, digits, dots, dashes and underscores (default berth)', () => {
    assert.equal(values({}).BERTH_REDIS_PREFIX, 'berth');
    assert.equal(values({ BERTH_REDIS_PREFIX: 'ci-2.staging_a' }).BERTH_REDIS_PREFIX, 'ci-2.staging_a');
    for (const bad of ['a:b', '', ' x', '{berth}', 'x'.repeat(64)]) {
      assert.match(problems({ BERTH_REDIS_PREFIX: bad }).join(), /^BERTH_REDIS_PREFIX: must match/, bad);
    }
  });

  it('reads numbers as Number() does, within their rules', () => {
    assert.equal(values({ PORT: ' 80 ' }).PORT, 80);
    assert.equal(values({ PORT: '1e3' }).PORT, 1000);
    assert.equal(values({ BERTH_STEP_TIMEOUT_MINUTES: '0.5' }).BERTH_STEP_TIMEOUT_MINUTES, 30_000);
    assert.deepEqual(problems({ PORT: '65536', BERTH_CONCURRENCY: '', BERTH_RETENTION_DAYS: '1.5' }), [
      'PORT: must be at most 65535',
      'BERTH_CONCURRENCY: must be greater than 0',
      'BERTH_RETENTION_DAYS: must be a whole number',
    ]);
    assert.deepEqual(problems({ PORT: 'Infinity' }), ['PORT: must be a number, got "Infinity"']);
  });

  it('reads the takeover lock in seconds (fractions allowed) and checks the takeover count', () => {
    assert.deepEqual(
      [values({}).BERTH_LOCK_SECONDS, values({}).BERTH_STALLED_CHECK_SECONDS, values({}).BERTH_MAX_TAKEOVERS],
      [undefined, 2000, 2],
    );
    assert.equal(values({ BERTH_LOCK_SECONDS: '2.5' }).BERTH_LOCK_SECONDS, 2500);
    assert.deepEqual(problems({ BERTH_LOCK_SECONDS: '0', BERTH_MAX_TAKEOVERS: '-1' }), [
      'BERTH_LOCK_SECONDS: must be greater than 0',
      'BERTH_MAX_TAKEOVERS: must be at least 0',
    ]);
  });

  it('checks choices, URLs, patterns and lengths; unset means the default', () => {
    const parsed = values({ REDIS_URL: ' redis://r:6379\n', BERTH_REDACT_REFERENCED_SECRETS: 'on' });
    assert.equal(parsed.REDIS_URL, 'redis://r:6379');
    assert.equal(parsed.GITLAB_URL, 'https://gitlab.com');
    assert.equal(parsed.BERTH_REDACT_REFERENCED_SECRETS, true);
    assert.equal(values({ BERTH_REDACT_REFERENCED_SECRETS: '' }).BERTH_REDACT_REFERENCED_SECRETS, false);
    assert.deepEqual(
      problems({
        LOG_LEVEL: 'WARN',
        REDIS_URL: 'nope',
        BERTH_INSTANCE: 'Berth',
        BERTH_API_TOKEN: 'short',
      }).map((p) => p.split(':')[0]),
      ['LOG_LEVEL', 'REDIS_URL', 'BERTH_API_TOKEN', 'BERTH_INSTANCE'],
    );
  });

  it('splits lists and checks JSON shapes, naming the bad key', () => {
    const parsed = values({
      BERTH_IMAGE_PULL_SECRETS: 'a, b  c,,',
      BERTH_LOCAL_SOURCES: '/a::/b',
      BERTH_POD_RESOURCES: '{"requests":{"cpu":"1"},"other":1}',
      BERTH_TOLERATIONS: '[{"key":"a"}]',
    });
    assert.deepEqual(parsed.BERTH_IMAGE_PULL_SECRETS, ['a', 'b', 'c']);
    assert.deepEqual(parsed.BERTH_LOCAL_SOURCES, ['/a', '/b']);
    assert.deepEqual(parsed.BERTH_POD_RESOURCES, { requests: { cpu: '1' } });
    assert.deepEqual(parsed.BERTH_TOLERATIONS, [{ key: 'a' }]);
    assert.equal(values({ BERTH_NODE_SELECTOR: '' }).BERTH_NODE_SELECTOR, undefined);
    assert.deepEqual(
      problems({
        BERTH_NODE_SELECTOR: '{"zone":1}',
        BERTH_TOLERATIONS: '[[]]',
        BERTH_POD_RESOURCES: '{"limits":{"cpu":2}}',
      }),
      [
        'BERTH_POD_RESOURCES.limits.cpu: must be a string',
        'BERTH_NODE_SELECTOR.zone: must be a string',
        'BERTH_TOLERATIONS.0: must be an object',
      ],
    );
  });
});
