// Redis away (a restart, a failover) is a 503 the client may retry, not a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import { isRedisUnavailable } from '../../src/redis/unavailable.ts';
import { createWebServer, type WebServer } from '../../src/web/server.ts';
import { freePort, startRedis } from '../support/redis.ts';

/** The error a real ioredis client gives for a command while its Redis is down. */
async function errorOfDeadRedis(): Promise<unknown> {
  const client = new Redis({ port: await freePort(), maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  client.on('error', () => {});
  try {
    await client.get('k');
    throw new Error('a dead Redis answered');
  } catch (error) {
    return error;
  } finally {
    client.disconnect();
  }
}

describe('Redis unavailable', () => {
  let server: WebServer;
  let base = '';
  let thrown: unknown = null;
  before(async () => {
    server = createWebServer({
      logger: pino({ level: 'silent' }),
      handlers: [
        async () => {
          throw thrown;
        },
      ],
    });
    const address = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await server.close();
  });

  it('tells Redis being away from other failures, from real ioredis and Redis errors', async () => {
    assert.ok(isRedisUnavailable(await errorOfDeadRedis()), 'a command to a Redis that is down');
    const redis = await startRedis();
    const client = new Redis(redis.url);
    try {
      await client.set('s', 'text');
      const wrongType = await client.incr('s').catch((error: unknown) => error);
      assert.equal(isRedisUnavailable(wrongType), false, 'a wrong command is not Redis being away');
    } finally {
      client.disconnect();
      await redis.stop();
    }
    assert.equal(isRedisUnavailable(new Error('boom')), false);
  });

  it('answers 503 with Retry-After while Redis is away, and 500 for anything else', async () => {
    thrown = await errorOfDeadRedis();
    const away = await fetch(`${base}/api/builds`);
    assert.equal(away.status, 503);
    assert.equal(away.headers.get('retry-after'), '2');
    thrown = new Error('a bug');
    assert.equal((await fetch(`${base}/api/builds`)).status, 500);
  });
});
