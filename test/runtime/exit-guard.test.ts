import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExitGuard } from '../../src/runtime/local/exit-guard.ts';

test('many running step groups share one exit hook, removed when the last one ends', () => {
  const before = process.listenerCount('exit');
  const guard = createExitGuard();
  const pgids = Array.from({ length: 50 }, (_, i) => 4_000_000 + i);
  for (const pgid of pgids) guard.track(pgid, true);
  assert.equal(process.listenerCount('exit'), before + 1);
  for (const pgid of pgids.slice(1)) guard.track(pgid, false);
  assert.equal(process.listenerCount('exit'), before + 1, 'one group still runs');
  guard.track(pgids[0] ?? 0, false);
  assert.equal(process.listenerCount('exit'), before);
});
