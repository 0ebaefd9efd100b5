import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildPod,
  escapeKubeletVars,
  HELPER_UID,
  type PodSettings,
} from '../../../src/runtime/kubernetes/pod-spec.ts';
import { step } from './fixtures.ts';

const settings: PodSettings = {
  helperImage: 'busybox:1.37',
  resources: { limits: { memory: '1Gi' } },
  nodeSelector: { pool: 'ci' },
  tolerations: [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }],
  imagePullSecrets: ['regcred'],
  activeDeadlineSeconds: 3700,
};
const build = { id: 'b-1', instance: 'test' };

test('a user script reaches the container unchanged after the kubelet expands $(VAR) and $$', () => {
  const script = 'echo $(date) $$ $HOME $(FOO) cost: $5';
  const pod = buildPod(build, step({ script, env: { PRICE: '$(NOT_A_VAR) $1' } }), settings);
  const container = pod.spec?.containers[0];
  assert.deepEqual(container?.command, ['/bin/sh', '-c', 'echo $$(date) $$$$ $$HOME $$(FOO) cost: $$5']);
  assert.deepEqual(container?.env, [{ name: 'PRICE', value: '$$(NOT_A_VAR) $$1' }]);
  assert.equal(kubeletExpand(escapeKubeletVars(script)), script);
  assert.notEqual(kubeletExpand(script), script);
});

test('pods carry labels, restartPolicy Never, a deadline and configured placement', () => {
  const pod = buildPod(build, step(), settings);
  assert.deepEqual(pod.metadata?.labels, {
    'berth.dev/build': 'b-1',
    'berth.dev/stage': 'build',
    'berth.dev/step': 'compile',
    'berth.dev/instance': 'test',
  });
  const spec = pod.spec;
  assert.equal(spec?.restartPolicy, 'Never');
  assert.equal(spec?.activeDeadlineSeconds, 3700);
  assert.equal(spec?.automountServiceAccountToken, false);
  assert.equal(spec?.serviceAccountName, undefined);
  assert.deepEqual(spec?.nodeSelector, { pool: 'ci' });
  assert.deepEqual(spec?.imagePullSecrets, [{ name: 'regcred' }]);
  assert.deepEqual(spec?.containers[0]?.resources, { limits: { memory: '1Gi' } });
  assert.equal(spec?.initContainers?.[0]?.image, 'busybox:1.37');
  assert.equal(spec?.containers[0]?.workingDir, '/mnt/repo');
});

test('a service account mounts its token; secrets are only referenced', () => {
  const pod = buildPod(
    build,
    step({
      serviceAccount: 'deployer',
      secretEnv: [{ name: 'TOKEN', secretName: 'api', key: 'token' }],
      envFromSecrets: ['all-of-it'],
      mounts: [
        { name: 'kube', kind: 'secret', source: 'kubeconfig', mountPath: '/root/.kube', readOnly: true },
      ],
    }),
    settings,
  );
  assert.equal(pod.spec?.automountServiceAccountToken, true);
  assert.equal(pod.spec?.serviceAccountName, 'deployer');
  const container = pod.spec?.containers[0];
  assert.deepEqual(container?.env, [
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
  ]);
  assert.deepEqual(container?.envFrom, [{ secretRef: { name: 'all-of-it' } }]);
  assert.deepEqual(
    pod.spec?.volumes?.find((v) => v.name === 'kube'),
    { name: 'kube', secret: { secretName: 'kubeconfig' } },
  );
  assert.ok(container?.volumeMounts?.some((m) => m.mountPath === '/root/.kube' && m.readOnly));
});

test('security defaults: no token, seccomp, non-root helper without capabilities, no escalation', () => {
  const pod = buildPod(build, step(), settings);
  const spec = pod.spec;
  assert.equal(spec?.automountServiceAccountToken, false);
  assert.equal(spec?.enableServiceLinks, false);
  assert.deepEqual(spec?.securityContext, { seccompProfile: { type: 'RuntimeDefault' }, fsGroup: 65532 });
  const helper = spec?.initContainers?.[0]?.securityContext;
  assert.equal(helper?.runAsNonRoot, true);
  assert.equal(helper?.runAsUser, HELPER_UID);
  assert.equal(helper?.allowPrivilegeEscalation, false);
  assert.equal(helper?.readOnlyRootFilesystem, true);
  assert.deepEqual(helper?.capabilities, { drop: ['ALL'] });
  const stepContext = spec?.containers[0]?.securityContext;
  assert.equal(stepContext?.allowPrivilegeEscalation, false);
  assert.equal(stepContext?.privileged, false);
  assert.deepEqual(stepContext?.capabilities?.drop, ['ALL']);
  for (const dangerous of ['NET_RAW', 'MKNOD', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE']) {
    assert.ok(!stepContext?.capabilities?.add?.includes(dangerous), dangerous);
  }
});

/** The kubelet's expansion with every variable defined: `$$` → `$`, `$(NAME)` → its value. */
function kubeletExpand(text: string): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match) => (match === '$$' ? '$' : 'EXPANDED'));
}
