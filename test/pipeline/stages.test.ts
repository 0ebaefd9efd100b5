// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, lines, plan, yaml } from './helpers.ts';

const step = '{container: {image: alpine, cmds: [echo]}}';

describe('stages', () => {
  it('treats every root key but inputs and environments as a stage', () => {
    const text = yaml`
      inputs: []
      environments: {}
      build:
        s: ${step}
      inputs-ish:
        s: ${step}
    `;
    assert.deepEqual(
      plan(text).plan?.stages.map((s) => s.name),
      ['build', 'inputs-ish'],
    );
  });

  it('reads runs-if case-insensitively and defaults to success', () => {
    const text = yaml`
      a:
        s: ${step}
      b:
        runs-if: FAIL
        s: ${step}
      c:
        runs-if: Always
        s: ${step}
    `;
    assert.deepEqual(
      plan(text).plan?.stages.map((s) => s.runsIf),
      ['success', 'fail', 'always'],
    );
  });

  it('Berth: accepts run-if, the spelling of the original docs, as the same key', () => {
    const text = yaml`
      b:
        run-if: fail
        s: ${step}
    `;
    assert.equal(plan(text).plan?.stages[0]?.runsIf, 'fail');
    const both = yaml`
      b:
        run-if: fail
        runs-if: always
        s: ${step}
    `;
    assert.deepEqual(errors(plan(both).diagnostics), [
      '3:3: error: duplicate key "runs-if" (same as "run-if") [b/runs-if]',
    ]);
  });

  it('rejects an unknown runs-if value', () => {
    const text = `b:\n  runs-if: sometimes\n  s: ${step}\n`;
    assert.deepEqual(errors(plan(text).diagnostics), [
      '2:12: error: invalid runs-if "sometimes": expected success, fail or always [b/runs-if]',
    ]);
  });

  it('substitutes variables in runs-if, then checks the value where the variable is used', () => {
    const text = `b:\n  s: ${step}\nc:\n  runs-if: \${WHEN}\n  t: ${step}\n`;
    const runsIf = (WHEN: string) => plan(text, { wharfVars: { WHEN } }).plan?.stages[1]?.runsIf;
    assert.equal(runsIf('Always'), 'always');
    assert.equal(runsIf(' fail'), 'fail');
    assert.deepEqual(errors(plan(text, { wharfVars: { WHEN: 'later' } }).diagnostics), [
      '4:12: error: invalid runs-if "later" (value of "WHEN" from WHARF_VAR_WHEN): expected success, fail or always [c/runs-if]',
    ]);
    assert.deepEqual(lines(plan(text).diagnostics), [
      '4:12: warning: undefined variable "WHEN"; the text is kept as is [c/runs-if]',
      '4:12: error: invalid runs-if "${WHEN}": expected success, fail or always [c/runs-if]',
    ]);
  });

  it('substitutes variables in the environments a stage names', () => {
    const text = yaml`
      environments:
        dev: {}
        prod: {}
      deploy:
        environments: ["\${TARGET}"]
        s: ${step}
    `;
    const names = (TARGET: string, environment: string) =>
      plan(text, { environment, wharfVars: { TARGET } }).plan?.stages.map((s) => s.name);
    assert.deepEqual(names('prod', 'prod'), ['deploy']);
    assert.deepEqual(names('prod', 'dev'), []);
    assert.deepEqual(errors(plan(text, { wharfVars: { TARGET: 'qa' } }).diagnostics), [
      '5:18: error: environment "qa" is not defined under the root "environments" (known: dev, prod) (value of "TARGET" from WHARF_VAR_TARGET) [deploy/environments/0]',
    ]);
  });

  it('reports an empty stage', () => {
    const text = 'a:\nb: {}\nc:\n  runs-if: always\nd: [x]\n';
    assert.deepEqual(errors(plan(text).diagnostics), [
      '1:1: error: empty stage "a": it has no steps [a]',
      '2:1: error: empty stage "b": it has no steps [b]',
      '3:1: error: empty stage "c": it has no steps [c]',
      '5:1: error: stage "d" must be a map of steps [d]',
    ]);
  });

  it('runs a stage with environments only when one of them is selected', () => {
    const text = yaml`
      environments:
        dev: {}
        prod: {}
      build:
        s: ${step}
      deploy-dev:
        environments: [dev]
        s: ${step}
      deploy-prod:
        environments: [prod]
        s: ${step}
    `;
    const names = (environment?: string) =>
      plan(text, environment ? { environment } : {}).plan?.stages.map((s) => s.name);
    assert.deepEqual(names(), ['build']);
    assert.deepEqual(names('dev'), ['build', 'deploy-dev']);
    assert.deepEqual(names('prod'), ['build', 'deploy-prod']);
  });

  it('requires the environments a stage names to exist at the root', () => {
    const text = yaml`
      environments:
        dev: {}
      deploy:
        environments: [dev, prod]
        s: ${step}
    `;
    assert.deepEqual(errors(plan(text).diagnostics), [
      '4:23: error: environment "prod" is not defined under the root "environments" (known: dev) [deploy/environments/1]',
    ]);
  });

  it('plans only the stage given with -s, and rejects an unknown one', () => {
    const text = `a:\n  s: ${step}\nb:\n  t: ${step}\n`;
    assert.deepEqual(
      plan(text, { stage: 'b' }).plan?.stages.map((s) => s.name),
      ['b'],
    );
    const result = plan(text, { stage: 'c' });
    assert.equal(result.plan, null);
    assert.deepEqual(lines(result.diagnostics), ['1:1: error: unknown stage "c" (stages: a, b)']);
  });

  it('refuses -s for a stage that does not run in the selected environment', () => {
    const text = `environments: {prod: {}}\ndeploy:\n  environments: [prod]\n  s: ${step}\n`;
    assert.deepEqual(errors(plan(text, { stage: 'deploy' }).diagnostics), [
      '2:1: error: stage "deploy" does not run without an environment (its environments: prod) [deploy]',
    ]);
    assert.equal(plan(text, { stage: 'deploy', environment: 'prod' }).plan?.stages.length, 1);
  });

  it('accepts a file without stages with a warning; its plan runs nothing and says why', () => {
    const result = plan('inputs: []\nenvironments: {prod: {}}\n', { environment: 'prod' });
    assert.deepEqual(lines(result.diagnostics), ['1:1: warning: the file defines no stages']);
    assert.deepEqual([result.plan?.stages, result.plan?.nothingRuns], [[], 'the file defines no stages']);
  });
});
