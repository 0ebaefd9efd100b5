import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDefinition } from '../../src/pipeline/index.ts';
import { errors, lines, onlyStep, plan, yaml } from './helpers.ts';

const parse = (text: string) => parseDefinition(text, { file: 'ci.yml' });

describe('file and YAML rules', () => {
  it('reports an empty file as "empty document"', () => {
    for (const text of ['', '\n\n', '# only a comment\n', '---\n']) {
      const result = parse(text);
      assert.equal(result.definition, null);
      assert.match(errors(result.diagnostics).join(), /empty document/);
    }
  });

  it('rejects several documents and names how many', () => {
    const result = parse('a:\n  s:\n    container: {image: x, cmds: [y]}\n---\nb: 1\n---\nc: 2\n');
    assert.deepEqual(errors(result.diagnostics), [
      '4:1: error: the file holds 3 YAML documents; exactly one is allowed',
    ]);
  });

  it('accepts a single leading ---', () => {
    const { step } = onlyStep('---\nbuild:\n  s:\n    container: {image: x, cmds: [y]}\n');
    assert.equal(step.image, 'x');
  });

  it('reports YAML syntax errors at their position and does not throw', () => {
    const result = parse('build:\n  s: [unclosed\n');
    assert.equal(result.definition, null);
    assert.ok(result.diagnostics.length > 0);
    assert.ok(result.diagnostics.every((d) => d.severity === 'error' && d.line >= 1 && d.col >= 1));
  });

  it('requires a map at the top level', () => {
    assert.deepEqual(errors(parse('- a\n- b\n').diagnostics), [
      '1:1: error: the top level must be a map of stages, but it is a list',
    ]);
    assert.deepEqual(errors(parse('hello\n').diagnostics), [
      '1:1: error: the top level must be a map of stages, but it is a scalar',
    ]);
  });

  it('keeps the file order of stages and of steps', () => {
    const text = yaml`
      zeta:
        b: {container: {image: x, cmds: [1]}}
        a: {container: {image: x, cmds: [2]}}
      alpha:
        c: {container: {image: x, cmds: [3]}}
    `;
    const result = plan(text);
    assert.deepEqual(
      result.plan?.stages.map((s) => [s.name, s.steps.map((t) => t.name)]),
      [
        ['zeta', ['b', 'a']],
        ['alpha', ['c']],
      ],
    );
  });

  it('resolves anchors, aliases and <<: merge keys, also for whole stages', () => {
    const text = yaml`
      build: &stage
        compile:
          container:
            <<: &defaults
              image: golang:1.22
              shell: /bin/bash
            cmds: [go build ./...]
      again: *stage
      test:
        unit:
          container:
            <<: *defaults
            shell: /bin/sh
            cmds: [go test ./...]
    `;
    const result = plan(text);
    assert.deepEqual(errors(result.diagnostics), []);
    const [build, again, test] = result.plan?.stages ?? [];
    assert.deepEqual(build?.steps[0]?.command, ['/bin/bash', '-c', 'go build ./...']);
    assert.equal(again?.steps[0]?.stage, 'again');
    assert.deepEqual(again?.steps[0]?.command, ['/bin/bash', '-c', 'go build ./...']);
    assert.deepEqual(
      test?.steps[0]?.command,
      ['/bin/sh', '-c', 'go test ./...'],
      'explicit keys win over merged ones',
    );
    assert.equal(test?.steps[0]?.image, 'golang:1.22');
  });

  it('reports every duplicate key, empty key and non-string key', () => {
    const text = yaml`
      build:
        s:
          container:
            image: a
            image: b
            cmds: [x]
      build:
        t: {container: {image: a, cmds: [x]}}
      "":
        u: {container: {image: a, cmds: [x]}}
      123:
        v: {container: {image: a, cmds: [x]}}
    `;
    assert.deepEqual(errors(parse(text).diagnostics), [
      '5:7: error: duplicate key "image" [build/s/container/image]',
      '7:1: error: duplicate key "build" [build]',
      '9:1: error: map key must not be empty',
      '11:1: error: map key must be a string: quote it ("123")',
    ]);
  });

  it('honours explicit tags: !!str 123 is a string', () => {
    const { step } = onlyStep(
      'build:\n  s:\n    container:\n      image: !!str 123\n      cmds: [!!str 0x10]\n',
    );
    assert.equal(step.image, '123');
    assert.deepEqual(step.command, ['/bin/sh', '-c', '0x10']);
  });

  it('warns about unknown tags and keeps the value', () => {
    const result = plan('b:\n  s:\n    container: {image: !custom alpine, cmds: [x]}\n');
    assert.equal(result.plan?.stages[0]?.steps[0]?.image, 'alpine');
    assert.match(lines(result.diagnostics).join(), /^3:\d+: warning: Unresolved tag: !custom/);
  });

  it('accepts YAML 1.1 boolean words in any case', () => {
    for (const [word, push] of [
      ['yes', true],
      ['No', false],
      ['ON', true],
      ['oFF', false],
      ['True', true],
      ['FALSE', false],
    ] as const) {
      const { step } = onlyStep(
        `b:\n  s:\n    docker:\n      file: Dockerfile\n      tag: v1\n      push: ${word}\n`,
      );
      assert.equal(step.command.includes('--no-push'), !push, word);
    }
  });

  it('keeps the source spelling of numbers used as text', () => {
    const text = 'b:\n  s:\n    docker:\n      file: Dockerfile\n      tag: 1.10\n';
    const { step } = onlyStep(text, { configuredVars: { REG_URL: 'registry.test' } });
    assert.ok(step.command.includes('registry.test/acme/shop/s:1.10'));
  });

  it('sorts diagnostics by position', () => {
    const text = yaml`
      b:
        s:
          container:
            cmds: [x]
            extra: 1
      a:
        t:
          nope: {}
    `;
    const result = plan(text);
    const positions = result.diagnostics.map((d) => d.line * 1000 + d.col);
    assert.deepEqual(
      positions,
      [...positions].sort((x, y) => x - y),
    );
    assert.deepEqual(lines(result.diagnostics), [
      '3:5: error: missing required field: "image" [b/s/container/image]',
      '5:7: warning: unknown field "extra" for a container step (ignored) [b/s/container/extra]',
      '8:5: error: unknown step type "nope" (expected one of container, docker, helm, helm-package, kubectl, nuget-package) [a/t/nope]',
    ]);
  });

  it('never throws for an alias cycle or an undefined alias', () => {
    for (const text of ['a: &x [*x]\n', 'a: *nothing\n', 'a: &a\n  b: *a\n']) {
      const result = parse(text);
      assert.ok(
        result.diagnostics.some((d) => d.severity === 'error'),
        text,
      );
    }
  });
});
