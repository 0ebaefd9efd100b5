import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { startBuild, until } from '../support/api-client.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { echoPipelineFolder, startServe } from '../support/serve.ts';

const TOKEN = 'ui-metrics-token-0123456789';
const HOOK_SECRET = 'gitlab-hook-secret-0123456789';

describe('berth serve --role all: pages and /metrics', () => {
  let redis: TestRedis;
  let folder: Awaited<ReturnType<typeof echoPipelineFolder>>;
  let app: App;

  before(async () => {
    redis = await startRedis();
    folder = await echoPipelineFolder('berth-ui-metrics-');
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_RUNTIME: 'local',
      BERTH_API_TOKEN: TOKEN,
      BERTH_PUBLIC_READ: 'true',
      BERTH_LOCAL_SOURCES: folder.dir,
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
      // GitLab on (its API is never called by the hooks below).
      GITLAB_URL: 'http://127.0.0.1:9',
      GITLAB_TOKEN: 'glpat-unused',
      GITLAB_WEBHOOK_SECRET: HOOK_SECRET,
    });
  });
  after(async () => {
    await app.close();
    await redis.stop();
    await folder.remove();
  });

  const metricsText = async () => {
    const res = await fetch(`${app.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return res.text();
  };

  it('runs a local build, lists it on / and counts it on /metrics', async () => {
    const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    await until(async () => (await app.stack.store.get(id))?.status === 'success');

    const page = await fetch(`${app.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<h1>Builds<\/h1>/);
    assert.ok(html.includes(id), 'the list page carries the build');
    assert.equal((await fetch(`${app.url}/builds/${id}`)).status, 200);

    // The last log batch is stored as the build ends: wait for it rather than race it.
    let text = '';
    await until(async () => {
      text = await metricsText();
      return logLines(text) > 0 && /^berth_builds_total\{result="success"\} 1$/m.test(text);
    });
    assert.match(text, /^berth_builds_total\{result="success"\} 1$/m);
    assert.match(text, /^berth_build_duration_seconds_count\{result="success"\} 1$/m);
    assert.match(text, /^berth_step_duration_seconds_count\{result="success"\} 1$/m);
    assert.match(text, /^berth_queue_wait_seconds_count 1$/m);
    assert.match(text, /^berth_queue_depth 0$/m);
    assert.ok(logLines(text) >= 1, 'log lines were counted');
    assert.match(text, /^berth_process_cpu_seconds_total /m, "Node's process metrics, prefixed");
  });

  it('counts GitLab webhook deliveries by event and outcome', async () => {
    const hook = (event: string, token: string) =>
      fetch(`${app.url}/api/gitlab/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': token },
        body: '{}',
      });
    assert.equal((await hook('Push Hook', 'wrong-token')).status, 401);
    assert.equal((await hook('Push Hook', 'wrong-token')).status, 401);
    assert.equal((await hook('Pipeline Hook', HOOK_SECRET)).status, 200);
    assert.equal((await hook('Push Hook', HOOK_SECRET)).status, 400);
    const text = await metricsText();
    const delivery = (event: string, outcome: string) =>
      new RegExp(
        `^berth_webhook_deliveries_total\\{forge="gitlab",event="${event}",outcome="${outcome}"\\} (\\d+)$`,
        'm',
      ).exec(text)?.[1];
    assert.equal(delivery('Push Hook', 'rejected'), '2');
    assert.equal(delivery('Pipeline Hook', 'ignored'), '1');
    assert.equal(delivery('Push Hook', 'invalid'), '1');
  });
});

function logLines(text: string): number {
  return Number(/^berth_log_lines_total (\d+)$/m.exec(text)?.[1] ?? 0);
}
