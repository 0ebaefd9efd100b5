import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { it } from 'node:test';
import { startRedis } from './redis.ts';

const ping = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().trim());
      socket.destroy();
    });
    socket.once('error', reject);
  });

it('starts a private redis-server that can be killed and restarted on the same port', async () => {
  const redis = await startRedis();
  try {
    assert.equal(await ping(redis.port), '+PONG');
    await redis.kill();
    await assert.rejects(ping(redis.port));
    await redis.restart();
    assert.equal(await ping(redis.port), '+PONG');
  } finally {
    await redis.stop();
  }
});
