// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { lintDefinition, parseDefinition, planFromText } from '../../src/pipeline/index.ts';
import { images } from './helpers.ts';

const options = { file: 'fuzz.yml', images, buildVars: { BUILD_REF: '1', REPO_NAME: 'r' } };

/** Every diagnostic is positioned and the call returned normally. */
function assertWellFormed(text: string): void {
  const result = planFromText(text, options);
  for (const d of result.diagnostics) {
    assert.ok(d.line >= 1 && d.col >= 1, `bad position ${d.line}:${d.col}`);
    assert.ok(d.message.length > 0);
  }
  const parsed = parseDefinition(text, options);
  if (parsed.definition) lintDefinition(parsed.definition, options);
  assert.equal(
    result.plan === null,
    result.diagnostics.some((d) => d.severity === 'error'),
  );
}

const words = fc.constantFrom(
  'container',
  'docker',
  'helm',
  'helm-package',
  'kubectl',
  'nuget-package',
  'image',
  'cmds',
  'file',
  'files',
  'tag',
  'chart',
  'name',
  'namespace',
  'inputs',
  'environments',
  'runs-if',
  'run-if',
  'type',
  'default',
  'values',
  'push',
  'set',
  'version',
  'repo',
  'secretArgs',
  'secretName',
  '${x}',
  '${%y%}',
  '<<',
  '',
  'always',
);
const scalar = fc.oneof(words, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double());
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(words, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 5 }),
})).map;

const stepTypes = fc.constantFrom(
  'container',
  'docker',
  'helm',
  'helm-package',
  'kubectl',
  'nuget-package',
  'bogus',
);
/** Files shaped like pipelines (stages → steps → type → fields) with arbitrary field values. */
const pipelines = fc.record({
  inputs: fc.array(fc.dictionary(words, scalar, { maxKeys: 4 }), { maxLength: 3 }),
  environments: fc.dictionary(fc.string({ maxLength: 4 }), fc.dictionary(words, tree, { maxKeys: 3 }), {
    maxKeys: 2,
  }),
  stages: fc.dictionary(
    fc.string({ maxLength: 5 }),
    fc.dictionary(
      fc.string({ maxLength: 5 }),
      fc.dictionary(stepTypes, fc.dictionary(words, tree, { maxKeys: 6 }), { minKeys: 1, maxKeys: 2 }),
      { maxKeys: 3 },
    ),
    { maxKeys: 3 },
  ),
});

const fragments = fc.constantFrom(
  '&a ',
  '*a',
  '<<: *a',
  '- ',
  ': ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '|',
  '>',
  '\n',
  '  ',
  '---',
  '...',
  '#',
  '!!str ',
  '!!int ',
  '!foo ',
  '%YAML 1.1\n',
  '${',
  '}',
  'build:',
  'container:',
  '\t',
  '?',
  ',',
  '@',
  '`',
  '\u0000',
  '\uFEFF',
);

describe('randomized input', () => {
  it('returns diagnostics and never throws for arbitrary YAML documents', () => {
    fc.assert(
      fc.property(tree, (doc) => {
        assertWellFormed(stringify(doc));
      }),
      { numRuns: 300 },
    );
  });

  it('returns diagnostics and never throws for pipeline-shaped files with arbitrary values', () => {
    fc.assert(
      fc.property(pipelines, fc.option(fc.string({ maxLength: 4 })), (p, environment) => {
        const text = stringify({ inputs: p.inputs, environments: p.environments, ...p.stages });
        assertWellFormed(text);
        planFromText(text, {
          ...options,
          ...(environment === null ? {} : { environment }),
          inputs: { x: '1' },
        });
      }),
      { numRuns: 100 },
    );
  });

  it('never throws for arbitrary variable values, inputs and selections', () => {
    const text = [
      'inputs:',
      '  - {name: n, type: number}',
      '  - {name: c, type: choice, values: [a, b], default: a}',
      'environments:',
      '  e: {v: "${w}"}',
      'b:',
      '  s:',
      '    docker: {file: "${v}", tag: "${n},${c}", push: "${p}"}',
      '  t:',
      '    helm: {chart: "${w}", name: "${%x%}", namespace: "${ v }", set: {k: "${n}"}}',
    ].join('\n');
    const vars = fc.dictionary(
      fc.constantFrom('v', 'w', 'p', 'n', 'REG_INSECURE', 'REPO_NAME', 'x'),
      fc.oneof(words, fc.string()),
    );
    fc.assert(
      fc.property(
        vars,
        vars,
        vars,
        fc.dictionary(fc.constantFrom('n', 'c', 'z'), fc.string()),
        fc.option(fc.constantFrom('e', 'b', 'x')),
        (a, b, c, inputs, pick) => {
          const result = planFromText(text, {
            ...options,
            buildVars: a,
            wharfVars: b,
            varsFiles: [c],
            inputs,
            ...(pick === null ? {} : { environment: pick, stage: pick }),
          });
          assert.equal(
            result.plan === null,
            result.diagnostics.some((d) => d.severity === 'error'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns diagnostics and never throws for garbage text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(fragments, { maxLength: 40 }).map((p) => p.join('')),
        ),
        (text) => {
          assertWellFormed(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('survives an alias bomb quickly', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      levels.push(
        `${'a'.repeat(i + 1)}: &${'a'.repeat(i + 1)} [${Array(10)
          .fill(`*${'a'.repeat(i)}`)
          .join(', ')}]`,
      );
    const text = `${levels.join('\n')}\nbuild:\n  s:\n    container:\n      image: x\n      cmds: *aaaaaaaaaaaa\n`;
    const result = planFromText(text, options);
    assert.ok(result.diagnostics.length > 0);
  });
});
