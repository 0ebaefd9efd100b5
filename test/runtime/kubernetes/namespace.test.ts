import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.ts';
import { runBuild } from '../../../src/engine/index.ts';
import { selectRuntime } from '../../../src/runtime/select.ts';
import { tempDir } from '../../support/engine.ts';
import { type FakeKube, kubeconfigYaml, startFakeKube } from '../../support/fake-kube/index.ts';
import { memorySink } from '../../support/memory-sink.ts';
import { plan, stage } from '../../support/plan.ts';
import { quietLogger } from '../../support/queue-harness.ts';

let kube: FakeKube;
let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  kube = await startFakeKube({ namespaces: ['default', 'pod-ns'] });
  dir = await tempDir('berth-ns-');
});
after(async () => {
  await kube.close();
  await dir.remove();
});

/** The Kubernetes runtime for a kubeconfig whose context names no namespace, in a "pod" with `namespaceFile`. */
async function runtimeIn(namespaceFile: string) {
  const kubeconfig = join(dir.dir, 'no-namespace.kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml(kube.url, { namespace: null }));
  return selectRuntime('kubernetes', {
    logger: quietLogger,
    hostEnv: { PATH: process.env.PATH },
    killGraceMs: 500,
    config: loadConfig({ KUBECONFIG: kubeconfig }),
    serviceAccountNamespaceFile: namespaceFile,
  });
}

describe('the Kubernetes runtime namespace without -n, BERTH_NAMESPACE or a context namespace', () => {
  it("runs step pods in the pod's own namespace, read from the service account's namespace file", async () => {
    const file = join(dir.dir, 'namespace');
    await writeFile(file, 'pod-ns\n');
    const runtime = await runtimeIn(file);
    assert.deepEqual(runtime.namespace, {
      name: 'pod-ns',
      reason: `from the service account's namespace file ${file}`,
    });
    const result = await runBuild({
      runtime,
      build: {
        id: 'ns1',
        instance: 'test',
        plan: plan([stage('build', { x: 'echo hi' })]),
        source: { dir: dir.dir, respectGitignore: false },
      },
      sink: memorySink(),
      signal: new AbortController().signal,
      timeouts: { stepMs: 30_000, buildMs: 60_000, cleanupMs: 10_000 },
      logCapBytes: 1e6,
    });
    assert.equal(result.status, 'success');
    const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'pods');
    assert.deepEqual(new Set(creates.map((r) => r.namespace)), new Set(['pod-ns']));
  });

  it('uses `default` outside a pod', async () => {
    const runtime = await runtimeIn(join(dir.dir, 'missing'));
    assert.equal(runtime.namespace?.name, 'default');
    assert.match(runtime.namespace?.reason ?? '', /^the default: /);
  });
});
