import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createEventDispatcher } from '../../src/forge/dispatcher.ts';

test('runs submitted work in the background, bounded, and drains', async () => {
  const dispatcher = createEventDispatcher({ logger: pino({ level: 'silent' }), concurrency: 2, backlog: 3 });
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  const job = (n: number) => async () => {
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 10));
    running -= 1;
    done.push(n);
  };
  const accepted = [1, 2, 3, 4, 5, 6].map((n) => dispatcher.submit(String(n), job(n)));
  assert.deepEqual(accepted, [true, true, true, true, true, false]);
  assert.equal(done.length, 0, 'submit returns before the work runs');
  dispatcher.submit('boom', async () => {
    throw new Error('boom');
  });
  await dispatcher.drain(2000);
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5]);
  assert.equal(peak, 2);
  assert.equal(dispatcher.pending, 0);
});
