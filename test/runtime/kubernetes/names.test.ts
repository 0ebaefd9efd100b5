import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSelector, labelValue, podName } from '../../../src/runtime/kubernetes/names.ts';

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

test('pod names are deterministic, DNS-1123 and at most 63 characters', () => {
  const name = podName('Build_42', 'Test Stage', 'unit tests (fast)');
  assert.equal(name, podName('Build_42', 'Test Stage', 'unit tests (fast)'));
  assert.match(name, DNS_1123);
  assert.ok(name.startsWith('berth-build-42-test-stage-unit-tests-fast-'));
  const long = podName('b'.repeat(80), 's'.repeat(80), 'x'.repeat(80));
  assert.ok(long.length <= 63);
  assert.match(long, DNS_1123);
});

test('steps whose names sanitize alike still get different pods', () => {
  assert.notEqual(podName('1', 'a', 'my step'), podName('1', 'a', 'my-step'));
  assert.notEqual(podName('1', 'a-b', 'c'), podName('1', 'a', 'b-c'));
});

test('label values stay readable when valid and hashed when not', () => {
  assert.equal(labelValue('build-42'), 'build-42');
  assert.equal(labelValue('Feature.x_1'), 'Feature.x_1');
  const odd = labelValue('my step/with spaces');
  assert.match(odd, /^my-step-with-spaces-[0-9a-f]{8}$/);
  assert.ok(labelValue('z'.repeat(100)).length <= 63);
  assert.equal(buildSelector('prod', 'b1'), 'berth.dev/instance=prod,berth.dev/build=b1');
});
