import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createEventDispatcher } from './memory-dispatcher.ts';

test('runs submitted events in the background, bounded, once per id, and drains', async () => {
  const dispatcher = createEventDispatcher({ logger: pino({ level: 'silent' }), concurrency: 2, backlog: 3 });
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  dispatcher.register('n', async (data) => {
    running += 1;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 10));
    running -= 1;
    done.push((data as { n: number }).n);
  });
  dispatcher.register('boom', async () => {
    throw new Error('boom');
  });
  const accepted = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => dispatcher.submit('n', String(n), { n })));
  assert.deepEqual(accepted, [true, true, true, true, true, false]);
  assert.equal(done.length, 0, 'submit returns before the work runs');
  assert.equal(await dispatcher.submit('n', '1', { n: 1 }), true, 'a redelivery is accepted');
  await dispatcher.submit('boom', 'b', {});
  await dispatcher.drain(2000);
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5], 'each id once');
  assert.equal(peak, 2);
  assert.equal(dispatcher.pending, 0);
});
