import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '../../src/logs/redact.ts';

describe('createRedactor', () => {
  it('masks the longest value first so a shorter secret inside it leaves nothing behind', () => {
    const redactor = createRedactor(['abc', 'abcdef']);
    assert.equal(redactor.redact('x abcdef y abc'), 'x *** y ***');
  });

  it('treats regex characters literally and ignores empty values', () => {
    const redactor = createRedactor(['a.b*c', '', '  ']);
    assert.equal(redactor.redact('a.b*c axbbc  '), '*** axbbc  ');
  });

  it('masks each line of a multi-line secret', () => {
    const redactor = createRedactor(['line-one\nline-two']);
    assert.equal(redactor.redact('line-two'), '***');
  });

  it('never cuts inside a secret', () => {
    const redactor = createRedactor(['SECRET']);
    assert.equal(redactor.safeCut('xxSECRETxxxxxx', 4), 2);
    assert.equal(redactor.safeCut('SECRETxxxxxx', 3), 6);
    assert.equal(redactor.safeCut('xxxxxxSECRET', 4), 4);
  });
});
