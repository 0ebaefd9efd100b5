// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, lines, onlyStep, plan, yaml } from './helpers.ts';

/** One container step whose script is `cmd`: the script shows what substitution made of it. */
const script = (cmd: string, options = {}) => {
  const result = plan(`b:\n  s:\n    container:\n      image: a\n      cmds:\n        - ${cmd}\n`, options);
  return { text: result.plan?.stages[0]?.steps[0]?.command[2], diagnostics: result.diagnostics };
};

describe('variables', () => {
  it('substitutes ${name}, trimming spaces, in every string scalar under a stage', () => {
    assert.equal(script('echo ${GIT_COMMIT} ${ REPO_NAME }').text, 'echo abc123 shop');
    assert.equal(script('a${REPO_GROUP}b${REPO_NAME}c').text, 'aacmebshopc');
  });

  it('allows any character but } in a name', () => {
    assert.equal(script('"${we ird.name-1}"', { wharfVars: { 'we ird.name-1': 'ok' } }).text, 'ok');
  });

  it('turns the escape ${%name%} into a literal ${name}', () => {
    const result = script('echo ${%GIT_COMMIT%} $${%HOME%}');
    assert.equal(result.text, 'echo ${GIT_COMMIT} $${HOME}');
    assert.deepEqual(result.diagnostics, []);
  });

  it('does not substitute in keys', () => {
    const text =
      'b:\n  s:\n    helm:\n      chart: c\n      name: n\n      namespace: x\n      repo: r\n      set: {"${REPO_NAME}": "${REPO_NAME}"}\n';
    assert.match(onlyStep(text).step.command[2] ?? '', /--set '\$\{REPO_NAME\}=shop'/);
  });

  it('substitutes recursively and reports a loop as "recursive variable loop"', () => {
    const vars = { wharfVars: { A: '${B}-a', B: '${C}-b', C: 'c' } };
    assert.equal(script('${A}', vars).text, 'c-b-a');
    const loop = script('echo ${X}', { wharfVars: { X: 'x${Y}', Y: 'y${X}' } });
    assert.deepEqual(errors(loop.diagnostics), [
      '6:16: error: recursive variable loop: X → Y → X (in the value of "Y") [b/s/container/cmds/0]',
    ]);
    assert.equal(loop.text, undefined, 'an error leaves no plan');
  });

  it('looks up inputs, then environment, then build vars, WHARF_VAR_*, configuration, .wharf-vars.yml', () => {
    const text = yaml`
      inputs:
        - {name: V1, type: string, default: input}
      environments:
        e:
          V1: env
          V2: env
      b:
        s:
          container:
            image: a
            cmds: ['\${V1} \${V2} \${V3} \${V4} \${V5} \${V6}']
    `;
    const all = {
      environment: 'e',
      buildVars: { V1: 'build', V2: 'build', V3: 'build' },
      wharfVars: { V3: 'wharf', V4: 'wharf' },
      configuredVars: { V4: 'config', V5: 'config' },
      varsFiles: [{ V5: 'file1', V6: 'file1' }, { V6: 'file2' }],
    };
    const run = (options: object) => plan(text, options).plan?.stages[0]?.steps[0]?.command[2];
    assert.equal(run(all), 'input env build wharf config file1');
    assert.equal(run({ ...all, inputs: { V1: 'given' } }), 'given env build wharf config file1');
    assert.equal(run({ ...all, environment: undefined }), 'input build build wharf config file1');
  });

  it('Berth: warns about an undefined variable at the position of its use, and keeps the text', () => {
    const result = script('echo ok ${nope}');
    assert.equal(result.text, 'echo ok ${nope}');
    assert.deepEqual(lines(result.diagnostics), [
      '6:19: warning: undefined variable "nope"; the text is kept as is [b/s/container/cmds/0]',
    ]);
  });

  it('places uses inside block scalars on their own line', () => {
    const result = plan(
      'b:\n  s:\n    container:\n      image: a\n      cmds:\n        - |\n          one\n            two ${x} ${x}\n',
    );
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.line}:${d.col}`),
      ['8:17', '8:22'],
    );
  });

  it('--strict turns warnings into errors', () => {
    const result = script('echo ${nope}', { strict: true });
    assert.equal(result.diagnostics[0]?.severity, 'error');
    assert.equal(
      plan('b:\n  s:\n    container: {image: a, cmds: ["${nope}"]}\n', { strict: true }).plan,
      null,
    );
  });

  it('gives a whole-scalar ${var} the variable type: a boolean env var fills a boolean field', () => {
    const text = yaml`
      environments:
        e: {pushIt: false, insecure: no}
      b:
        s:
          docker:
            file: D
            tag: v1
            push: \${pushIt}
            append-cert: \${insecure}
    `;
    const { step } = onlyStep(text, { environment: 'e' });
    assert.ok(step.command.includes('--no-push'));
  });

  it('Berth: a string field accepts a number variable as text (tag: ${BUILD_REF})', () => {
    const text =
      'inputs:\n  - {name: n, type: number, default: 42}\nb:\n  s:\n    docker: {file: D, tag: "${n}", destination: d}\n';
    const { step, diagnostics } = onlyStep(text);
    assert.deepEqual(errors(diagnostics), []);
    assert.equal(step.command.at(-1), 'd:42');
  });

  it('Berth: points a bad substituted value at its use and says where the value came from', () => {
    const text = yaml`
      environments:
        prod:
          pushIt: maybe
      b:
        s:
          docker: {file: D, tag: v1, destination: d, push: "\${pushIt}"}
    `;
    assert.deepEqual(errors(plan(text, { environment: 'prod' }).diagnostics), [
      '6:54: error: "push" must be a boolean (true/false, yes/no, on/off), got "maybe" (value of "pushIt" from environment "prod" (3:13)) [b/s/docker/push]',
    ]);
  });

  it('puts the variables in effect in the plan, resolved, for substituting into files', () => {
    const variables = plan('b:\n  s:\n    container: {image: a, cmds: [x]}\n', {
      wharfVars: { URL: 'https://${REPO_NAME}.test' },
    }).plan?.variables;
    assert.equal(variables?.URL, 'https://shop.test');
    assert.equal(variables?.BUILD_REF, '17');
  });
});
