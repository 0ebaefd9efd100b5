import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild, startBuild } from '../support/api-client.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { echoPipelineFolder, startServe } from '../support/serve.ts';

const TOKEN = 'kube-metrics-token-0123456789';

describe('berth serve on the Kubernetes runtime: /metrics counts API requests', () => {
  let redis: TestRedis;
  let kube: FakeKube;
  let folder: Awaited<ReturnType<typeof echoPipelineFolder>>;
  let app: App;

  before(async () => {
    redis = await startRedis();
    kube = await startFakeKube({ namespaces: ['ci'] });
    folder = await echoPipelineFolder('berth-kube-metrics-');
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_RUNTIME: 'kubernetes',
      KUBECONFIG: kube.kubeconfigPath,
      BERTH_NAMESPACE: 'ci',
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: folder.dir,
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
  });
  after(async () => {
    await app.close();
    await kube.close();
    await redis.stop();
    await folder.remove();
  });

  it('reports each verb the API server served for a build', async () => {
    const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    assert.equal((await endedBuild(app.url, id, { token: TOKEN })).status, 'success');

    const text = await (await fetch(`${app.url}/metrics`)).text();
    const counted = (verb: string) =>
      Number(
        new RegExp(`^berth_kubernetes_requests_total\\{verb="${verb}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
      );
    for (const verb of ['create', 'exec', 'log', 'delete', 'watch'] as const)
      assert.equal(counted(verb), kube.count({ verb }), `${verb} requests`);
    assert.equal(counted('create'), 1, 'one pod for one step');
  });
});
