import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { BuildRecord, StepRecord } from '../../src/builds/types.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { BuildMeter } from '../../src/queue/build-meter.ts';
import { makeRecord } from '../support/web-fixture.ts';

const step = (
  name: string,
  status: StepRecord['status'],
  startedAt: string | null,
  finishedAt: string | null,
) => ({
  name,
  status,
  exitCode: null,
  reason: null,
  message: null,
  startedAt,
  finishedAt,
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function record(steps: StepRecord[], over: Partial<BuildRecord> = {}): BuildRecord {
  return makeRecord({
    id: 'b1',
    status: 'running',
    startedAt: at(0),
    stages: [{ name: 'build', status: 'running', steps }],
    ...over,
  });
}

test('each step run and the build are counted once, with their durations', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const meter = new BuildMeter(metrics, record([step('a', 'pending', null, null)]));
  meter.observe(record([step('a', 'running', at(1), null), step('b', 'pending', null, null)]));
  meter.observe(record([step('a', 'success', at(1), at(4)), step('b', 'running', at(2), null)]));
  meter.observe(record([step('a', 'success', at(1), at(4)), step('b', 'failed', at(2), at(3))]));
  const final = record(
    [step('a', 'success', at(1), at(4)), step('b', 'failed', at(2), at(3)), step('c', 'skipped', null, null)],
    {
      status: 'failed',
      finishedAt: at(10),
    },
  );
  meter.observe(final);
  meter.observe(final);
  const text = await metrics.registry.metrics();
  assert.match(text, /^berth_step_duration_seconds_count\{result="success"\} 1$/m);
  assert.match(text, /^berth_step_duration_seconds_sum\{result="success"\} 3$/m);
  assert.match(text, /^berth_step_duration_seconds_count\{result="failed"\} 1$/m);
  assert.doesNotMatch(text, /result="skipped"/);
  assert.match(text, /^berth_builds_total\{result="failed"\} 1$/m);
  assert.match(text, /^berth_build_duration_seconds_sum\{result="failed"\} 10$/m);
});

test('a build taken over does not count what the previous worker finished, but counts the rerun', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const claimed = record([step('a', 'success', at(1), at(2))]);
  const meter = new BuildMeter(metrics, claimed);
  meter.observe(claimed);
  assert.doesNotMatch(await metrics.registry.metrics(), /^berth_step_duration_seconds_count/m);
  meter.observe(record([step('a', 'success', at(5), at(6))]));
  assert.match(
    await metrics.registry.metrics(),
    /^berth_step_duration_seconds_count\{result="success"\} 1$/m,
  );
});
