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

  it('masks a secret of 8 bytes or more in base64 too, wherever it sits in the encoded text', () => {
    const secret = 'hunter2-passw0rd?';
    const redactor = createRedactor([secret]);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const cases: Array<[prefix: string, text: string]> = [
      ['', secret],
      ['', `${secret}\n`], // echo $SECRET | base64
      ['user:', `user:${secret}`], // a basic-auth or registry auth pair
      ['x', `x${secret}`],
    ];
    for (const [prefix, text] of cases) {
      const encoded = b64(text);
      const left = redactor.redact(encoded).split('***');
      assert.equal(left.length, 2, `${encoded} is masked`);
      // Left: the prefix's own groups and at most 2 bytes of the secret at either end (8 characters).
      const allowed = Math.ceil(prefix.length / 3) * 4 + 8;
      assert.ok(left.join('').length <= allowed, `${encoded} → ${left.join('***')}`);
    }
    assert.equal(redactor.redact(Buffer.from(secret).toString('base64url')).startsWith('***'), true);
    assert.equal(createRedactor(['short12']).redact(b64('short12')), b64('short12'));
    assert.equal(redactor.redact('aGVsbG8gd29ybGQ='), 'aGVsbG8gd29ybGQ=');
  });

  it('never cuts inside a secret', () => {
    const redactor = createRedactor(['SECRET']);
    assert.equal(redactor.safeCut('xxSECRETxxxxxx', 4), 2);
    assert.equal(redactor.safeCut('SECRETxxxxxx', 3), 6);
    assert.equal(redactor.safeCut('xxxxxxSECRET', 4), 4);
  });
});
