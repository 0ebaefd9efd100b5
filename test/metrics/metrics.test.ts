import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { createMetricsHandler } from '../../src/metrics/handler.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { serveHandlers } from '../support/web-fixture.ts';

test('GET /metrics serves what the recorders counted, in Prometheus text', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  metrics.buildFinished('success', 42);
  metrics.buildFinished('failed', 3);
  metrics.stepFinished('failed', 2.5);
  metrics.sampleQueueDepth(async () => 7);
  metrics.queueWait(0.3);
  metrics.webhookDelivery('github', 'push', 'queued');
  metrics.kubeRequest('create');
  metrics.logLines(120);
  const { url, server } = await serveHandlers([createMetricsHandler(metrics)]);
  after(() => server.close());
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^berth_builds_total\{result="success"\} 1$/m);
  assert.match(text, /^berth_build_duration_seconds_bucket\{le="60",result="success"\} 1$/m);
  assert.match(text, /^berth_step_duration_seconds_count\{result="failed"\} 1$/m);
  assert.match(text, /^berth_queue_depth 7$/m);
  assert.match(text, /^berth_queue_wait_seconds_count 1$/m);
  assert.match(text, /^berth_webhook_deliveries_total\{forge="github",event="push",outcome="queued"\} 1$/m);
  assert.match(text, /^berth_kubernetes_requests_total\{verb="create"\} 1$/m);
  assert.match(text, /^berth_log_lines_total 120$/m);
  assert.equal((await fetch(`${url}/other`)).status, 404);
});

test('two metric sets live side by side in their own registries', async () => {
  const a = createMetrics(new Registry(), { processMetrics: false });
  const b = createMetrics(new Registry(), { processMetrics: false });
  a.kubeRequest('get');
  assert.match(await a.registry.metrics(), /berth_kubernetes_requests_total\{verb="get"\} 1/);
  assert.doesNotMatch(await b.registry.metrics(), /verb="get"/);
});
