import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineDeduper, parseTimedLine, sinceTimeOf } from '../../../src/runtime/kubernetes/log-lines.ts';

test('kubelet timestamps are read to the nanosecond, trailing zeros trimmed or not', () => {
  const line = parseTimedLine('2026-11-22T05:09:07.123456789Z hello world');
  assert.equal(line.text, 'hello world');
  assert.equal(line.ns, BigInt(Date.parse('2026-11-22T05:09:07Z')) * 1_000_000n + 123_456_789n);
  assert.equal(
    parseTimedLine('2026-11-22T05:09:07.5Z x').ns,
    parseTimedLine('2026-11-22T05:09:07.500000000Z x').ns,
  );
  assert.deepEqual(parseTimedLine('2026-11-22T05:09:07Z '), {
    ns: BigInt(Date.parse('2026-11-22T05:09:07Z')) * 1_000_000n,
    text: '',
  });
  assert.deepEqual(parseTimedLine('no stamp here'), { ns: null, text: 'no stamp here' });
});

test('sinceTime rounds down to the second so no line is skipped', () => {
  const { ns } = parseTimedLine('2026-11-22T05:09:07.999Z x');
  assert.equal(sinceTimeOf(ns ?? 0n), '2026-11-22T05:09:07Z');
});

test('a reconnect drops exactly the lines already delivered, even with equal timestamps', () => {
  const first = ['05.100 a', '05.200 b', '05.200 c'];
  const replay = ['05.000 early', '05.100 a', '05.200 b', '05.200 c', '05.200 d', '05.300 e'];
  const stamp = (s: string) => parseTimedLine(`2026-11-22T05:09:${s.replace(' ', 'Z ')}`);
  const deduper = new LineDeduper();
  const delivered = first.map(stamp).filter((line) => deduper.accept(line));
  deduper.reconnected();
  delivered.push(...replay.map(stamp).filter((line) => deduper.accept(line)));
  assert.deepEqual(
    delivered.map((line) => line.text),
    ['a', 'b', 'c', 'd', 'e'],
  );
});
