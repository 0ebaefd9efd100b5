import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
const hasKubectl = !spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).error;

interface Resource {
  kind: string;
  metadata: { name: string; namespace?: string };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are inspected field by field
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  rules?: any[];
}

function render(): Resource[] {
  const out = spawnSync('kubectl', ['kustomize', deployDir], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as Resource);
}

test('kubectl kustomize deploy/ renders the web, worker, redis and RBAC', {
  skip: !hasKubectl && 'no kubectl',
}, () => {
  const resources = render();
  const find = (kind: string, name: string) => {
    const r = resources.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(r, `${kind}/${name} is rendered`);
    return r;
  };
  for (const [role, sa] of [
    ['web', undefined],
    ['worker', 'berth-worker'],
  ] as const) {
    const pod = find('Deployment', `berth-${role}`).spec.template.spec;
    const [container] = pod.containers;
    assert.deepEqual(container.args, ['serve', '--role', role]);
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.serviceAccountName, sa);
  }
  assert.equal(find('Deployment', 'berth-web').spec.template.spec.automountServiceAccountToken, false);
  find('Service', 'berth');
  find('Service', 'berth-redis');
  find('ConfigMap', 'berth-config');
  assert.ok(!resources.some((r) => r.kind === 'Secret'), 'no secret values in the base');
});

test('the worker may only run pods in the build namespace', { skip: !hasKubectl && 'no kubectl' }, () => {
  const resources = render();
  assert.ok(!resources.some((r) => r.kind === 'ClusterRole' || r.kind === 'ClusterRoleBinding'));
  const role = resources.find((r) => r.kind === 'Role');
  assert.equal(role?.metadata.namespace, 'berth-builds');
  const grants = Object.fromEntries(
    (role?.rules ?? []).map((r) => [r.resources.join(), r.verbs.sort().join()]),
  );
  assert.deepEqual(grants, {
    pods: 'create,delete,get,list,watch',
    'pods/log': 'get',
    'pods/exec': 'create',
    events: 'get,list,watch',
  });
  const binding = resources.find((r) => r.kind === 'RoleBinding');
  assert.equal(binding?.metadata.namespace, 'berth-builds');
});
