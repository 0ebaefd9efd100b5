import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBuildRequest } from '../../src/builds/request.ts';
import { pushRequest } from '../support/requests.ts';

describe('parseBuildRequest', () => {
  it('accepts a valid request and fills defaults', () => {
    const { rerun: _r, inputs: _i, ...bare } = pushRequest();
    const parsed = parseBuildRequest(bare);
    assert.deepEqual(parsed, { ok: true, request: pushRequest() });
  });

  it('names every bad field', () => {
    const parsed = parseBuildRequest({ ...pushRequest(), sha: 'xyz', forge: 'bitbucket' });
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.message, /forge: .*sha: must be a hexadecimal commit sha/);
  });

  it('rejects non-string inputs', () => {
    const parsed = parseBuildRequest({ ...pushRequest(), inputs: { n: 1 } });
    assert.match(parsed.ok ? '' : parsed.message, /^inputs\.n: /);
  });
});
