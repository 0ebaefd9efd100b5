import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommands } from '../../src/forge/commands.ts';

test('finds each command at a line start, once, in order', () => {
  assert.deepEqual(parseCommands('/retest\r\nthanks\n/cancel\n/retest'), ['retest', 'cancel']);
  assert.deepEqual(parseCommands('/ok-to-test please'), ['ok-to-test']);
  assert.deepEqual(parseCommands('/test'), ['test']);
});

test('ignores commands inside text, quotes, code blocks and look-alikes', () => {
  assert.deepEqual(parseCommands('please /retest'), []);
  assert.deepEqual(parseCommands('> /retest\n>/test'), []);
  assert.deepEqual(parseCommands('```\n/retest\n```\n/cancel'), ['cancel']);
  assert.deepEqual(parseCommands('/retesting\n/tests\n /test'), []);
});
