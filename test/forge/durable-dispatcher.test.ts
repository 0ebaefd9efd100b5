import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import { ConfigError, TransientError } from '../../src/errors.ts';
import { createDurableDispatcher, type DurableDispatcher } from '../../src/forge/durable-dispatcher.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

const logger = pino({ level: 'silent' });

describe('durable event dispatcher (BullMQ on a real redis-server)', () => {
  let server: TestRedis;
  let connection: Redis;
  const opened: DurableDispatcher[] = [];
  const dispatcher = (options: { enqueueTimeoutMs?: number } = {}) => {
    const made = createDurableDispatcher({ connection, logger, backoffMs: 20, ...options });
    opened.push(made);
    return made;
  };

  before(async () => {
    server = await startRedis();
  });
  after(() => server.stop());
  beforeEach(async () => {
    connection = new Redis(server.url, { maxRetriesPerRequest: null });
    connection.on('error', () => {});
    await connection.flushall();
  });
  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close(2000);
    connection.disconnect();
  });

  it('keeps accepted events while no worker runs; a new process handles them, each delivery once', async () => {
    const ingress = dispatcher();
    assert.equal(await ingress.submit('github', 'delivery-1', { n: 1 }), true);
    assert.equal(await ingress.submit('github', 'delivery-1', { n: 1 }), true, 'a redelivery is accepted');
    assert.equal(await ingress.submit('github', 'urn:x:2', { n: 2 }), true, "ids with ':' are fine");
    await ingress.close(2000);

    const seen: unknown[] = [];
    const next = dispatcher();
    next.register('github', async (data) => {
      seen.push(data);
    });
    next.start();
    await next.drain(5000);
    assert.deepEqual(seen, [{ n: 1 }, { n: 2 }]);
    assert.equal(await next.submit('github', 'delivery-1', { n: 1 }), true);
    await next.drain(5000);
    assert.equal(seen.length, 2, 'a later redelivery of a handled delivery is not handled again');
  });

  it("a process takes only the kinds it handles: another forge's events wait for their own worker", async () => {
    const seen: string[] = [];
    const githubOnly = dispatcher();
    githubOnly.register('github', async (data) => {
      seen.push(`github:${(data as { n: number }).n}`);
    });
    githubOnly.start();
    for (let n = 0; n < 5; n++) {
      assert.equal(await githubOnly.submit('github', `gh-${n}`, { n }), true);
      assert.equal(await githubOnly.submit('gitlab', `gl-${n}`, { n }), true);
    }
    await githubOnly.drain(5000);
    assert.deepEqual(seen.sort(), ['github:0', 'github:1', 'github:2', 'github:3', 'github:4']);

    const gitlabOnly = dispatcher();
    gitlabOnly.register('gitlab', async (data) => {
      seen.push(`gitlab:${(data as { n: number }).n}`);
    });
    gitlabOnly.start();
    await gitlabOnly.drain(5000);
    assert.equal(
      seen.filter((s) => s.startsWith('gitlab:')).length,
      5,
      'none was dropped by the GitHub-only process',
    );
  });

  it('retries retryable failures with backoff, drops the others after one try', async () => {
    const tries = { flaky: 0, broken: 0 };
    const d = dispatcher();
    d.register('flaky', async () => {
      tries.flaky += 1;
      if (tries.flaky < 3) throw new TransientError('forge answered 502');
    });
    d.register('broken', async () => {
      tries.broken += 1;
      throw new ConfigError('no such repository');
    });
    d.start();
    await d.submit('flaky', 'f', {});
    await d.submit('broken', 'b', {});
    await d.drain(10_000);
    assert.deepEqual(tries, { flaky: 3, broken: 1 });
  });

  it('answers false within its bound when Redis is down', async () => {
    const d = dispatcher({ enqueueTimeoutMs: 300 });
    await server.kill();
    try {
      const started = Date.now();
      assert.equal(await d.submit('gitlab', 'down-1', {}), false);
      assert.ok(Date.now() - started < 2000, 'does not wait for Redis to come back');
    } finally {
      await server.restart();
    }
  });
});
