import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { meterWebhooks, webhookOutcomeOf } from '../../src/metrics/webhooks.ts';
import { sendJson } from '../../src/web/respond.ts';
import { serveHandlers } from '../support/web-fixture.ts';

test('a delivery is counted once its answer is sent, by forge, event and outcome', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const hook = meterWebhooks(
    async (req, res) => {
      if (req.url !== '/hook') return false;
      const status = Number(req.headers['x-answer'] ?? 202);
      // Answered after the handler returned, as a middleware may do.
      setTimeout(() => sendJson(res, status, {}), 5);
      return true;
    },
    metrics,
    { forge: 'gitlab', eventHeader: 'x-gitlab-event', outcomes: { 200: 'ignored' }, maxEvents: 2 },
  );
  const { url, server } = await serveHandlers([hook]);
  after(() => server.close());
  const post = async (event: string | null, answer: number) => {
    const headers: Record<string, string> = { 'x-answer': String(answer) };
    if (event !== null) headers['x-gitlab-event'] = event;
    const res = await fetch(`${url}/hook`, { method: 'POST', headers, body: '{}' });
    await res.arrayBuffer();
  };
  await post('Push Hook', 202);
  await post('Push Hook', 401);
  await post('Pipeline Hook', 200);
  await post('Note Hook', 202); // a third distinct name: over maxEvents
  await post('Push Hook;DROP', 400);
  await post(null, 400);
  await fetch(`${url}/hook`, { headers: { 'x-answer': '405' } }).then((r) => r.arrayBuffer());
  await new Promise((r) => setTimeout(r, 20));
  const text = await metrics.registry.metrics();
  const counts = [...text.matchAll(/^berth_webhook_deliveries_total\{(.*)\} (\d+)$/gm)].map(
    ([, labels, n]) => `${labels} ${n}`,
  );
  assert.deepEqual(counts.sort(), [
    'forge="gitlab",event="Pipeline Hook",outcome="ignored" 1',
    'forge="gitlab",event="Push Hook",outcome="accepted" 1',
    'forge="gitlab",event="Push Hook",outcome="rejected" 1',
    'forge="gitlab",event="none",outcome="invalid" 1',
    'forge="gitlab",event="other",outcome="accepted" 1',
    'forge="gitlab",event="other",outcome="invalid" 1',
  ]);
});

test('outcomes follow the answer status', () => {
  assert.deepEqual(
    [200, 202, 400, 401, 403, 413, 415, 429, 500, 503].map((s) => webhookOutcomeOf(s)),
    [
      'accepted',
      'accepted',
      'invalid',
      'rejected',
      'rejected',
      'invalid',
      'invalid',
      'busy',
      'failed',
      'busy',
    ],
  );
  assert.equal(webhookOutcomeOf(200, { 200: 'ignored' }), 'ignored');
});
