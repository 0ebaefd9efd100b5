import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, plan, yaml } from './helpers.ts';

const stage = 'build:\n  s:\n    container: {image: a, cmds: [make]}\n';

describe('rerun (reserved root key)', () => {
  it('`rerun: all` turns step reuse off; it is not a stage', () => {
    const result = plan(`rerun: all\n${stage}`);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.plan?.rerun, 'all');
    assert.deepEqual(
      result.plan?.stages.map((s) => s.name),
      ['build'],
    );
  });

  it('absent means the default (reuse what succeeded)', () => {
    assert.equal(plan(stage).plan?.rerun, undefined);
    assert.equal(plan(`rerun: failed\n${stage}`).plan?.rerun, 'failed');
  });

  it('a stage named rerun is refused: the key is reserved', () => {
    const text = yaml`
      rerun:
        deploy:
          container: {image: a, cmds: [make]}
    `;
    assert.deepEqual(errors(plan(text).diagnostics), [
      '1:1: error: "rerun" is a reserved key (rerun: all | failed); a stage cannot be named "rerun": rename the stage [rerun]',
    ]);
  });

  it('any other value is an error naming the choices', () => {
    assert.match(errors(plan(`rerun: sometimes\n${stage}`).diagnostics)[0] ?? '', /"rerun" must be "all"/);
  });
});
