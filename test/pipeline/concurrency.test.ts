// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, lines, plan, yaml } from './helpers.ts';

const stage = 'build:\n  s:\n    container: {image: a, cmds: [make]}\n';

describe('concurrency', () => {
  it('plans the group with its variables substituted, limit 1 and no cancelling by default', () => {
    const result = plan(`concurrency:\n  group: deploy-\${GIT_BRANCH}\n${stage}`);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.plan?.concurrency, {
      group: 'deploy-feature/x',
      limit: 1,
      cancelInProgress: false,
    });
    assert.deepEqual(
      result.plan?.stages.map((s) => s.name),
      ['build'],
    );
  });

  it('takes limit and cancel-in-progress', () => {
    const text =
      yaml`
      concurrency:
        group: pr
        limit: 3
        cancel-in-progress: true
    ` + stage;
    assert.deepEqual(plan(text).plan?.concurrency, { group: 'pr', limit: 3, cancelInProgress: true });
  });

  it('a file without it has no group', () => {
    assert.equal(plan(stage).plan?.concurrency, undefined);
  });

  it('a stage named concurrency is refused: the key is reserved', () => {
    const text = yaml`
      concurrency:
        deploy:
          container: {image: a, cmds: [make]}
    `;
    assert.deepEqual(errors(plan(text).diagnostics), [
      '1:1: error: "concurrency" is a reserved key (concurrency group: group, limit, cancel-in-progress); a stage cannot be named "concurrency": rename the stage [concurrency]',
    ]);
  });

  it('says what is wrong with each field, and warns about unknown ones', () => {
    const text =
      yaml`
      concurrency:
        group: ""
        limit: 0
        cancel-in-progress: maybe
        queue: 5
    ` + stage;
    assert.deepEqual(lines(plan(text).diagnostics), [
      '2:10: error: concurrency needs a "group": a name such as deploy-${GIT_BRANCH} [concurrency/group]',
      '3:10: error: "limit" must be a whole number of 1 or more [concurrency/limit]',
      '4:23: error: "cancel-in-progress" must be true or false [concurrency/cancel-in-progress]',
      '5:3: warning: unknown field "queue" (ignored) [concurrency/queue]',
    ]);
  });

  it('a group that is empty after substitution is an error naming where the value came from', () => {
    const result = plan(`concurrency:\n  group: \${EMPTY}\n${stage}`, { wharfVars: { EMPTY: '' } });
    assert.equal(result.plan, null);
    assert.deepEqual(errors(result.diagnostics), [
      '2:10: error: the concurrency group is empty (value of "EMPTY" from WHARF_VAR_EMPTY) [concurrency/group]',
    ]);
  });

  it('a file of only concurrency runs nothing', () => {
    const result = plan('concurrency: {group: g}\n');
    assert.deepEqual(lines(result.diagnostics), ['1:1: warning: the file defines no stages']);
  });
});
