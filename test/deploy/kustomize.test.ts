import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { type Config, loadConfig } from '../../src/config/load.ts';

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
const hasKubectl = !spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).error;

interface Resource {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are inspected field by field
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  rules?: any[];
}

function render(dir = deployDir): Resource[] {
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
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
    'secrets,configmaps,serviceaccounts': 'get',
  });
  const binding = resources.find((r) => r.kind === 'RoleBinding');
  assert.equal(binding?.metadata.namespace, 'berth-builds');
});

const skip = !hasKubectl && 'no kubectl';
const byKind = (resources: Resource[], kind: string, namespace: string) =>
  resources.filter((r) => r.kind === kind && r.metadata.namespace === namespace);

test('Redis needs a password, keeps its data on a volume and stays below its memory limit', { skip }, () => {
  const resources = render();
  const deployment = resources.find((r) => r.kind === 'Deployment' && r.metadata.name === 'berth-redis');
  const pod = deployment?.spec.template.spec;
  const [redis] = pod.containers;
  const script = redis.args.join('\n');
  assert.match(script, /user default off/, 'no password-less default user');
  assert.match(script, /user berth on >/);
  assert.match(script, /-lt 16/, 'refuses to start with a short or missing password');
  const password = redis.env.find((e: { name: string }) => e.name === 'REDIS_PASSWORD');
  assert.deepEqual(password.valueFrom.secretKeyRef, { name: 'berth-redis', key: 'password' });
  const maxmemory = Number(/--maxmemory (\d+)mb/.exec(script)?.[1]);
  const limitMi = Number(/^(\d+)Mi$/.exec(redis.resources.limits.memory)?.[1]);
  assert.ok(maxmemory > 0 && maxmemory < limitMi * 0.9, `maxmemory ${maxmemory}mb, limit ${limitMi}Mi`);
  assert.match(script, /--maxmemory-policy noeviction/);
  const data = pod.volumes.find((v: { name: string }) => v.name === 'data');
  assert.equal(data.persistentVolumeClaim.claimName, 'berth-redis-data');
  assert.ok(
    resources.some((r) => r.kind === 'PersistentVolumeClaim' && r.metadata.name === 'berth-redis-data'),
  );
  for (const role of ['web', 'worker']) {
    const env = resources.find((r) => r.kind === 'Deployment' && r.metadata.name === `berth-${role}`)?.spec
      .template.spec.containers[0].env;
    const url = env.find((e: { name: string }) => e.name === 'REDIS_URL').value;
    assert.equal(url, 'redis://berth:$(REDIS_PASSWORD)@berth-redis:6379', `${role} signs in to Redis`);
    const names = env.map((e: { name: string }) => e.name);
    assert.ok(names.indexOf('REDIS_PASSWORD') < names.indexOf('REDIS_URL'), 'defined before its use');
  }
});

test('only Berth pods may connect to Redis', { skip }, () => {
  const [policy, ...more] = byKind(render(), 'NetworkPolicy', 'berth');
  assert.equal(more.length, 0);
  assert.deepEqual(policy?.spec.podSelector, { matchLabels: { 'app.kubernetes.io/name': 'berth-redis' } });
  assert.deepEqual(policy?.spec.policyTypes, ['Ingress']);
  assert.deepEqual(policy?.spec.ingress, [
    {
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'berth' } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    },
  ]);
});

test('build pods take no connections and reach only DNS and the internet', { skip }, () => {
  const [policy, ...more] = byKind(render(), 'NetworkPolicy', 'berth-builds');
  assert.equal(more.length, 0);
  assert.deepEqual(policy?.spec.podSelector, {}, 'every pod of the namespace');
  assert.deepEqual(policy?.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(policy?.spec.ingress ?? [], []);
  const blocks = policy?.spec.egress.flatMap((rule: { to: { ipBlock?: unknown }[] }) =>
    rule.to.flatMap((to) => (to.ipBlock ? [to.ipBlock] : [])),
  );
  const v4 = blocks.find((b: { cidr: string }) => b.cidr === '0.0.0.0/0');
  for (const range of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16']) {
    assert.ok(v4.except.includes(range), `egress to ${range} is denied`);
  }
  const v6 = blocks.find((b: { cidr: string }) => b.cidr === '::/0');
  for (const range of ['fc00::/7', 'fe80::/10']) assert.ok(v6.except.includes(range), `egress to ${range}`);
  const dns = policy?.spec.egress.find((rule: { ports?: { port: number }[] }) =>
    rule.ports?.every((p) => p.port === 53),
  );
  assert.ok(dns, 'DNS is allowed');
});

test('the build namespace enforces baseline pod security and bounds resources', { skip }, () => {
  const resources = render();
  const namespace = resources.find((r) => r.kind === 'Namespace' && r.metadata.name === 'berth-builds');
  assert.equal(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'baseline');
  const [range] = byKind(resources, 'LimitRange', 'berth-builds');
  const container = range?.spec.limits.find((l: { type: string }) => l.type === 'Container');
  assert.ok(container.default.memory && container.default.cpu, 'default limits');
  assert.ok(container.defaultRequest.memory && container.defaultRequest.cpu, 'default requests');
  assert.ok(container.max.memory, 'a ceiling per container');
  const [quota] = byKind(resources, 'ResourceQuota', 'berth-builds');
  for (const key of ['pods', 'requests.cpu', 'requests.memory', 'limits.memory']) {
    assert.ok(quota?.spec.hard[key], `quota on ${key}`);
  }
});

/** The base with one of deploy/components/ applied, rendered; what each role's Berth loads from it. */
function withComponent(component: string): { resources: Resource[]; configs: Record<string, Config> } {
  const overlay = mkdtempSync(join(tmpdir(), 'berth-overlay-'));
  try {
    const base = relative(overlay, deployDir);
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      `resources: [${base}]\ncomponents: [${join(base, 'components', component)}]\n`,
    );
    const resources = render(overlay);
    const data = resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === 'berth-config') as
      | (Resource & { data: Record<string, string> })
      | undefined;
    const configs: Record<string, Config> = {};
    for (const role of ['web', 'worker']) {
      const env: Array<{ name: string; value?: string }> = resources.find(
        (r) => r.kind === 'Deployment' && r.metadata.name === `berth-${role}`,
      )?.spec.template.spec.containers[0].env;
      const values = Object.fromEntries(env.map((e) => [e.name, e.value ?? 'secret-password-0123456789']));
      const url = (values.REDIS_URL ?? '').replace('$(REDIS_PASSWORD)', values.REDIS_PASSWORD ?? '');
      configs[role] = loadConfig({ ...data?.data, REDIS_URL: url });
    }
    return { resources, configs };
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

const bundledRedis = (resources: Resource[]) =>
  resources.filter((r) => /^berth-redis/.test(r.metadata.name) && r.kind !== 'Secret');

test('the redis-cluster component swaps the bundled Redis for REDIS_CLUSTER_NODES that Berth accepts', {
  skip,
}, () => {
  const { resources, configs } = withComponent('redis-cluster');
  assert.deepEqual(bundledRedis(resources), [], 'no bundled Redis left');
  for (const [role, config] of Object.entries(configs)) {
    assert.equal(config.redisHa?.kind, 'cluster', `${role} connects to the cluster`);
    assert.equal(config.redisHa?.nodes.length, 3);
  }
});

test('the redis-sentinel component swaps the bundled Redis for sentinels, a replica per write and a lock that outlasts a failover', {
  skip,
}, () => {
  const { resources, configs } = withComponent('redis-sentinel');
  assert.deepEqual(bundledRedis(resources), [], 'no bundled Redis left');
  for (const [role, config] of Object.entries(configs)) {
    const target = config.redisHa;
    assert.equal(target?.kind, 'sentinel', `${role} asks the sentinels`);
    assert.equal(target.sentinels.length, 3);
    assert.equal(target.name, 'berth');
    assert.equal(
      target.url,
      'redis://berth:secret-password-0123456789@redis-sentinel',
      'the password reaches Redis',
    );
    assert.deepEqual(config.redisWait, { replicas: 1, timeoutMs: 1000 });
    assert.equal(
      config.takeover.lockGiven,
      false,
      'the lock is left to the worker, which makes it outlast the sentinels’ failover (test/app/worker-lock.test.ts)',
    );
  }
});
