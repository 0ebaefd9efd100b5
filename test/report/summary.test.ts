import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic, parseDefinition } from '../../src/pipeline/index.ts';
import { checkOutput } from '../../src/report/check-run.ts';
import {
  diagnosticsFromText,
  GITHUB_COMMENT_MAX,
  renderConfigErrors,
  renderSummary,
  SUMMARY_MARKER,
} from '../../src/report/summary.ts';
import { failedStages, record } from '../support/records.ts';

const failed = record({ status: 'failed', stages: failedStages() });
const opts = { publicUrl: 'https://ci.example.com', max: GITHUB_COMMENT_MAX };

test('the summary holds the marker, result, step table, failed tail and log link', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  const body = renderSummary(failed, [{ stage: 'test', step: 'unit', lines }], opts);
  assert.ok(body.startsWith(SUMMARY_MARKER));
  assert.match(body, /Berth build #12 failed/);
  assert.match(body, /\| build \| compile \| ✅ success \| 1m 05s \|/);
  assert.match(body, /\| test \| unit \| ❌ failed: exited 1 \| 5s \|/);
  assert.match(body, /line 0\nline 1\n[\s\S]*line 29\n```/);
  assert.match(body, /\(https:\/\/ci\.example\.com\/builds\/b1\)/);
});

test('a huge log is cut from the front to fit the limit, secrets redacted', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} password=s3cr3tvalue`);
  const body = renderSummary(failed, [{ stage: 'test', step: 'unit', lines }], {
    ...opts,
    secrets: ['s3cr3tvalue'],
  });
  assert.ok(body.length <= GITHUB_COMMENT_MAX);
  assert.ok(body.includes('line 19999'));
  assert.ok(!body.includes('line 0 '));
  assert.ok(!body.includes('s3cr3tvalue'));
  assert.ok(body.includes('[Full log and build details]'));
});

test('log lines holding backticks do not break out of their code block', () => {
  const body = renderSummary(failed, [{ stage: 'test', step: 'unit', lines: ['```', 'x'] }], opts);
  assert.match(body, /````text\n```\nx\n````/);
});

test('the config-error comment lists every FILE:LINE:COL problem', () => {
  const text =
    '.wharf-ci.yml:3:5: error: unknown step type "dockr"\n.wharf-ci.yml:9:1: error: stage has no steps';
  const body = renderConfigErrors(failed, diagnosticsFromText(text), opts);
  assert.ok(body.startsWith(SUMMARY_MARKER));
  assert.match(body, /`\.wharf-ci\.yml:3:5` error: unknown step type "dockr"/);
  assert.match(body, /`\.wharf-ci\.yml:9:1` error: stage has no steps/);
  assert.match(body, /2 errors/);
});

test('check-run output: step table in the summary, tails in the text, each within 65,535', () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `noise ${i}`);
  const out = checkOutput(failed, [{ stage: 'test', step: 'unit', lines }]);
  assert.match(out.summary, /\| test \| unit \|/);
  assert.ok(out.summary.length <= 65_535 && (out.text ?? '').length <= 65_535);
  assert.ok(out.text?.includes('noise 19999'));
});

test('diagnostics of a real invalid file survive the round trip through the build message', () => {
  const { diagnostics } = parseDefinition('build:\n  step:\n    dockr:\n      x: 1\n  : [\n', {
    file: '.wharf-ci.yml',
  });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.ok(errors.length > 0);
  const message = `.wharf-ci.yml is invalid:\n${errors.map(formatDiagnostic).join('\n')}`;
  const parsed = diagnosticsFromText(message);
  assert.deepEqual(
    parsed.map((d) => [d.line, d.col, d.message, d.path]),
    errors.map((d) => [d.line, d.col, d.message, d.path]),
  );
  const body = renderConfigErrors(failed, parsed, opts);
  for (const d of errors) assert.ok(body.includes(`\`.wharf-ci.yml:${d.line}:${d.col}\``));
});
