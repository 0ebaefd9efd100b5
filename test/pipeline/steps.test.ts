import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, lines, onlyStep, plan } from './helpers.ts';

describe('steps', () => {
  it('needs exactly one known type per step', () => {
    const text = [
      'build:',
      '  none:',
      '  two:',
      '    container: {image: a, cmds: [b]}',
      '    docker: {file: a, tag: b}',
      '  odd:',
      '    shell: {}',
      '  scalar: hello',
    ].join('\n');
    assert.deepEqual(errors(plan(text).diagnostics), [
      '2:3: error: step "none" has no type (expected one of container, docker, helm, helm-package, kubectl, nuget-package) [build/none]',
      '5:5: error: step "two" has several types (container, docker); expected exactly one [build/two]',
      '7:5: error: unknown step type "shell" (expected one of container, docker, helm, helm-package, kubectl, nuget-package) [build/odd/shell]',
      '8:3: error: step "scalar" must be a map with one key, its type [build/scalar]',
    ]);
  });

  it('Berth: ignores unknown fields like the original, with a warning', () => {
    const { step, diagnostics } = onlyStep(
      'b:\n  s:\n    container:\n      image: a\n      cmds: [x]\n      imagePullPolicy: Always\n',
    );
    assert.equal(step.image, 'a');
    assert.deepEqual(lines(diagnostics), [
      '6:7: warning: unknown field "imagePullPolicy" for a container step (ignored) [b/s/container/imagePullPolicy]',
    ]);
  });

  it('points a missing required field at the step type key; empty strings and lists count as missing', () => {
    const text = 'b:\n  s:\n    container:\n      image: ""\n      cmds: []\n';
    assert.deepEqual(errors(plan(text).diagnostics), [
      '3:5: error: missing required field: "image" [b/s/container/image]',
      '3:5: error: missing required field: "cmds" [b/s/container/cmds]',
    ]);
  });

  it('reports the required fields of every type', () => {
    const text = [
      'b:',
      '  c: {container: {}}',
      '  d: {docker: {}}',
      '  h: {helm: {}}',
      '  k: {kubectl: {}}',
      '  n: {nuget-package: {}}',
      '  p: {helm-package: {destination: x}}',
    ].join('\n');
    const found = errors(plan(text).diagnostics).map((l) => l.replace(/^\d+:\d+: error: /, ''));
    assert.deepEqual(found, [
      'missing required field: "image" [b/c/container/image]',
      'missing required field: "cmds" [b/c/container/cmds]',
      'missing required field: "file" [b/d/docker/file]',
      'missing required field: "tag" [b/d/docker/tag]',
      'missing required field: "chart" [b/h/helm/chart]',
      'missing required field: "name" [b/h/helm/name]',
      'missing required field: "namespace" [b/h/helm/namespace]',
      'missing required field: "file" or "files" [b/k/kubectl/file]',
      'missing required field: "version" [b/n/nuget-package/version]',
      'missing required field: "project-path" [b/n/nuget-package/project-path]',
      'missing required field: "repo" [b/n/nuget-package/repo]',
    ]);
  });

  it('rejects values of the wrong shape', () => {
    const text = 'b:\n  s:\n    container:\n      image: [a]\n      cmds: echo hi\n';
    assert.deepEqual(errors(plan(text).diagnostics), [
      '4:14: error: "image" must be a string, not a list [b/s/container/image]',
      '5:13: error: "cmds" must be a list [b/s/container/cmds]',
    ]);
  });

  it('gives every step real build, stage and step labels', () => {
    const { step } = onlyStep('test:\n  unit:\n    container: {image: a, cmds: [x]}\n');
    assert.deepEqual(step.env, {
      CI: 'true',
      BERTH_BUILD: '17',
      BERTH_STAGE: 'test',
      BERTH_STEP: 'unit',
      BERTH_STEP_TYPE: 'container',
    });
  });
});
