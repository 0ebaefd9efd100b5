import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { App } from '../../src/app/start.ts';
import { deniedSteps } from '../../src/runtime/kubernetes/object-access.ts';
import { objectReader } from '../../src/runtime/kubernetes/object-reads.ts';
import { endedBuild, startBuild } from '../support/api-client.ts';
import { tempDir } from '../support/engine.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { plan, shellStep } from '../support/plan.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'repo-objects-token-0123456789';

const pipeline = (secret: string) =>
  `build:\n  deploy:\n    container:\n      image: alpine:3.20\n      secretName: ${secret}\n      cmds: ["echo deploying"]\n`;

interface Steps {
  stages: Array<{ steps: Array<{ status: string; reason: string | null; message: string | null }> }>;
}

describe('a build uses only the Secrets, ConfigMaps and service accounts granted to its repository', () => {
  let redis: TestRedis;
  let kube: FakeKube;
  let core: CoreV1Api;
  let mine: Awaited<ReturnType<typeof tempDir>>;
  let other: Awaited<ReturnType<typeof tempDir>>;
  let app: App;

  before(async () => {
    redis = await startRedis();
    kube = await startFakeKube({ namespaces: ['ci'] });
    const config = new KubeConfig();
    config.loadFromFile(kube.kubeconfigPath);
    core = config.makeApiClient(CoreV1Api);
    const sources = await tempDir('berth-repo-objects-');
    mine = { dir: join(sources.dir, 'mine'), remove: sources.remove };
    other = { dir: join(sources.dir, 'other'), remove: async () => {} };
    await Promise.all([mine.dir, other.dir].map((dir) => mkdir(dir)));
    // The other repository's deploy credentials, labelled for it.
    await core.createNamespacedSecret({
      namespace: 'ci',
      body: {
        metadata: { name: 'other-deploy', annotations: { 'berth.dev/repositories': `local:${other.dir}` } },
        stringData: { TOKEN: 'other-SECRET' },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'ci',
      body: {
        metadata: { name: 'mine-deploy', annotations: { 'berth.dev/repositories': `local:${mine.dir}` } },
        stringData: { TOKEN: 'mine-SECRET' },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'ci',
      body: { metadata: { name: 'shared-registry' }, stringData: { TOKEN: 'registry-SECRET' } },
    });
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_RUNTIME: 'kubernetes',
      KUBECONFIG: kube.kubeconfigPath,
      BERTH_NAMESPACE: 'ci',
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: sources.dir,
      BERTH_REPO_SECRETS: JSON.stringify({ [`local:${mine.dir}`]: ['secret/shared-registry'] }),
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
  });
  after(async () => {
    await app?.close();
    await kube.close();
    await redis.stop();
    await mine.remove();
  });

  const build = async (secret: string) => {
    await writeFile(join(mine.dir, '.wharf-ci.yml'), pipeline(secret));
    const creates = kube.count({ verb: 'create', resource: 'pods' });
    const id = await startBuild(app.url, TOKEN, `local:${mine.dir}`);
    const ended = await endedBuild(app.url, id, { token: TOKEN });
    const record = (await (
      await fetch(`${app.url}/api/builds/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as Steps;
    return {
      ended,
      step: record.stages[0]?.steps[0],
      pods: kube.count({ verb: 'create', resource: 'pods' }) - creates,
    };
  };

  it("refuses another repository's secret before any pod exists, naming the rule", async () => {
    const { ended, step, pods } = await build('other-deploy');
    assert.equal(ended.status, 'error');
    assert.equal(step?.status, 'error');
    assert.equal(step?.reason, 'config');
    assert.match(step?.message ?? '', /^secret "other-deploy" is not granted to local:\/.*\/mine: /);
    assert.match(
      step?.message ?? '',
      /berth\.dev\/repositories=.*or list "secret\/other-deploy" for it in BERTH_REPO_SECRETS/,
    );
    assert.equal(pods, 0, 'no pod was created');
  });

  it('runs with a secret labelled for the repository, or granted in BERTH_REPO_SECRETS', async () => {
    for (const secret of ['mine-deploy', 'shared-registry']) {
      const { ended, pods } = await build(secret);
      assert.equal(ended.status, 'success', `${secret}: ${ended.message}`);
      assert.equal(pods, 1);
    }
  });

  it('matches the berth.dev/repo label to owner.name, for its forge only', async () => {
    await core.createNamespacedSecret({
      namespace: 'ci',
      body: {
        metadata: { name: 'acme-app', labels: { 'berth.dev/repo': 'acme.app', 'berth.dev/forge': 'github' } },
        stringData: { K: 'v' },
      },
    });
    await core.createNamespacedServiceAccount({
      namespace: 'ci',
      body: { metadata: { name: 'deployer', labels: { 'berth.dev/repo': 'acme.app' } } },
    });
    await core.createNamespacedConfigMap({ namespace: 'ci', body: { metadata: { name: 'ca' }, data: {} } });
    const steps = [
      shellStep('s', 'secret', 'true', { envFromSecrets: ['acme-app'] }),
      shellStep('s', 'account', 'true', { serviceAccount: 'deployer' }),
      shellStep('s', 'config', 'true', {
        mounts: [{ name: 'ca', kind: 'configMap', source: 'ca', mountPath: '/ca', readOnly: true }],
      }),
      shellStep('s', 'default-account', 'true', { serviceAccount: 'default' }),
    ];
    const built = plan([{ name: 's', runsIf: 'success', steps }]);
    const verdicts = async (forge: string, repo: string) => {
      const read = objectReader(core, 'ci', () => {}, new AbortController().signal);
      const denied = await deniedSteps(built, { forge, repo }, { read, namespace: 'ci', grants: {} });
      return steps.map((step) => (denied.has(step) ? 'denied' : 'ok'));
    };
    assert.deepEqual(await verdicts('github', 'acme/app'), ['ok', 'ok', 'denied', 'ok']);
    assert.deepEqual(await verdicts('gitlab', 'acme/app'), ['denied', 'ok', 'denied', 'ok'], 'forge label');
    assert.deepEqual(await verdicts('github', 'acme/other'), ['denied', 'denied', 'denied', 'ok']);
  });

  it('reads each object once per build, for the access check and redaction alike', async () => {
    const gets = () => kube.requests.filter((r) => r.verb === 'get' && r.resource === 'secrets').length;
    const before = gets();
    const read = objectReader(core, 'ci', () => {}, new AbortController().signal);
    const [first, second] = await Promise.all([read('secret', 'mine-deploy'), read('secret', 'mine-deploy')]);
    assert.equal(first?.metadata.name, 'mine-deploy');
    assert.equal(second, first);
    assert.equal(await read('secret', 'no-such-secret'), null);
    assert.equal(gets() - before, 2);
  });
});
