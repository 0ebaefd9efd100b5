// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, plan, yaml } from './helpers.ts';

const stage = 'b:\n  s:\n    container: {image: a, cmds: ["${name} ${pw} ${count} ${flavour}"]}\n';
const inputs = yaml`
  inputs:
    - name: name
      type: string
    - name: pw
      type: password
      default: hunter2
    - name: count
      type: number
    - name: flavour
      type: choice
      values: [vanilla, chocolate]
      default: vanilla
`;

describe('inputs', () => {
  it('resolves defaults: a declared input without one is "" (number: 0)', () => {
    const result = plan(inputs + stage);
    assert.deepEqual(errors(result.diagnostics), []);
    assert.deepEqual(result.plan?.inputs, { name: '', pw: 'hunter2', count: 0, flavour: 'vanilla' });
    assert.equal(result.plan?.stages[0]?.steps[0]?.command[2], ' hunter2 0 vanilla');
  });

  it('takes -i values, parses numbers and checks choices', () => {
    const result = plan(inputs + stage, { inputs: { name: 'x', count: '7', flavour: 'chocolate' } });
    assert.deepEqual(result.plan?.inputs, { name: 'x', pw: 'hunter2', count: 7, flavour: 'chocolate' });
    const bad = plan(inputs + stage, { inputs: { count: 'seven', flavour: 'mint', other: '1' } });
    assert.equal(bad.plan, null);
    assert.deepEqual(errors(bad.diagnostics), [
      '1:1: error: value given for undeclared input "other" (declared: name, pw, count, flavour) [inputs/other]',
      '7:5: error: input "count" must be a number, got "seven" [inputs/count]',
      '9:5: error: input "flavour" must be one of vanilla, chocolate, got "mint" [inputs/flavour]',
    ]);
  });

  it('accepts non-string values from a trigger as text instead of throwing', () => {
    const fromTrigger = { count: 5, name: true } as unknown as Record<string, string>;
    assert.deepEqual(plan(inputs + stage, { inputs: fromTrigger }).plan?.inputs, {
      name: 'true',
      pw: 'hunter2',
      count: 5,
      flavour: 'vanilla',
    });
  });

  it('marks password values as secrets', () => {
    const result = plan(inputs + stage, { inputs: { pw: 's3cr3t' } });
    assert.deepEqual(result.plan?.secretInputs, ['pw']);
    assert.deepEqual(result.plan?.secrets, ['s3cr3t']);
  });

  it('reports duplicate names, unknown types and bad choice declarations', () => {
    const text =
      yaml`
      inputs:
        - {name: a, type: string}
        - {name: a, type: string}
        - {name: b, type: secret}
        - {name: c, type: choice, default: x}
        - {name: d, type: choice, values: [x, y]}
        - {name: e, type: choice, values: [x, y], default: z}
        - {name: f, type: number, default: many}
        - {type: string}
        - {name: g}
        - just-a-string
    ` + stage;
    assert.deepEqual(errors(plan(text).diagnostics), [
      '3:5: error: duplicate input "a" [inputs/a]',
      '4:21: error: unknown input type "secret" (expected string, password, number, choice) [inputs/b/type]',
      '5:5: error: choice input "c" needs a non-empty "values" list [inputs/c/values]',
      '6:5: error: choice input "d" needs a "default" (one of its values) [inputs/d]',
      '7:54: error: default "z" is not one of the values: x, y [inputs/e/default]',
      '8:38: error: default of number input "f" is not a number: "many" [inputs/f/default]',
      '9:5: error: missing required field: "name" [inputs/7]',
      '10:5: error: missing required field: "type" [inputs/g]',
      '11:5: error: an input must be a map with "name" and "type" [inputs/9]',
    ]);
  });

  it('requires inputs to be a list', () => {
    assert.deepEqual(errors(plan(`inputs: {a: 1}\n${stage}`).diagnostics), [
      '1:9: error: "inputs" must be a list of {name, type, default} [inputs]',
    ]);
  });
});
