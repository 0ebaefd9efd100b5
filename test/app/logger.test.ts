import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, lazyLogger } from '../../src/app/logger.ts';

describe('lazyLogger', () => {
  it('makes the logger on first use only, then logs through it', () => {
    const out = new PassThrough();
    let made = 0;
    const logger = lazyLogger(() => {
      made++;
      return createLogger({ level: 'warn', format: 'json' }, out);
    });
    assert.equal(made, 0);
    logger.info('dropped');
    logger.warn({ dir: '/tmp/x' }, 'could not remove');
    assert.equal(made, 1);
    const lines = String(out.read())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.dir]),
      [[40, 'could not remove', '/tmp/x']],
    );
  });
});
