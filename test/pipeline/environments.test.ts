// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, plan, yaml } from './helpers.ts';

const stage = 'b:\n  s:\n    container: {image: a, cmds: ["${url} ${n} ${on}"]}\n';

describe('environments', () => {
  it('selects an environment with -e and takes its scalar variables', () => {
    const text =
      yaml`
      environments:
        stage:
          url: https://stage.test
          n: 1.50
          on: true
    ` + stage;
    const result = plan(text, { environment: 'stage' });
    assert.equal(result.plan?.environment, 'stage');
    assert.equal(result.plan?.stages[0]?.steps[0]?.command[2], 'https://stage.test 1.50 true');
  });

  it('rejects an unknown environment', () => {
    const result = plan(`environments:\n  prod: {}\n${stage}`, { environment: 'qa' });
    assert.equal(result.plan, null);
    assert.deepEqual(errors(result.diagnostics), [
      '2:3: error: unknown environment "qa" (defined: prod) [environments]',
    ]);
  });

  it('rejects variables that are not string, boolean or number', () => {
    const text =
      yaml`
      environments:
        prod:
          list: [a]
          map: {a: 1}
          nothing:
        other: just-text
    ` + stage;
    assert.deepEqual(errors(plan(text).diagnostics), [
      '3:11: error: variable "list" must be a string, boolean or number, not a list [environments/prod/list]',
      '4:10: error: variable "map" must be a string, boolean or number, not a map [environments/prod/map]',
      '5:13: error: variable "nothing" must be a string, boolean or number, not empty [environments/prod/nothing]',
      '6:10: error: environment "other" must be a map of variables [environments/other]',
    ]);
  });
});
