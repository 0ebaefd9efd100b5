import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextFor, statusOf } from '../../src/report/status.ts';
import { failedStages, record } from '../support/records.ts';

const url = 'https://ci.example.com/';

test('queued, running and final builds read as a person would say them', () => {
  assert.deepEqual(statusOf(record(), url), {
    state: 'pending',
    context: 'berth',
    description: 'queued',
    targetUrl: 'https://ci.example.com/builds/b1',
    ref: 'feature',
  });
  const stages = failedStages();
  stages[1]!.status = 'running';
  assert.equal(statusOf(record({ status: 'running', stages }), url).description, 'running: stage 2/2 (test)');
  const failed = statusOf(record({ status: 'failed', stages: failedStages() }), url);
  assert.equal(failed.state, 'failure');
  assert.equal(failed.description, 'failed: test/unit exited 1');
  const passed = { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:05Z' };
  assert.equal(statusOf(record({ status: 'success', ...passed }), null).description, 'passed in 1m 05s');
  assert.equal(statusOf(record({ status: 'success' }), null).targetUrl, undefined);
});

test('descriptions never exceed 140 characters and never show a secret', () => {
  const message = `token hunter2-secret ${'x'.repeat(300)}`;
  const status = statusOf(record({ status: 'error', message }), url, ['hunter2-secret']);
  assert.ok(status.description.length <= 140);
  assert.ok(!status.description.includes('hunter2-secret'));
  assert.ok(status.description.startsWith('error: token ***'));
});

test('contexts are berth or berth/<environment>', () => {
  assert.equal(contextFor(), 'berth');
  assert.equal(contextFor('prod'), 'berth/prod');
});
