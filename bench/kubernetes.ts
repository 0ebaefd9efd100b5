/**
 * Kubernetes runtime on the fake API server.
 * `node bench/kubernetes.ts [steps=100] [parallel=1]`.
 * Prints API requests per step, the runtime's added latency per step and the time from a
 * scripted ErrImagePull to the step failing. Targets: ≤ 4 req/step, < 50 ms/step, < 1 s.
 *
 * Added latency per step = (create request reached the API − runStep called)
 *                        + (outcome returned − terminated state visible on the API's watch),
 * i.e. everything the runtime adds around the kubelet's own work, observed from outside
 * through a separate watch (not counted in the requests per step).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type V1Pod, Watch } from '@kubernetes/client-node';
import pino from 'pino';
import type { StepOutput } from '../src/logs/types.ts';
import type { BuildPlan, PlannedStep } from '../src/pipeline/types.ts';
import { createKubernetesRuntime, loadKubeConfig } from '../src/runtime/kubernetes/index.ts';
import { podName } from '../src/runtime/kubernetes/names.ts';
import { startFakeKube } from '../test/support/fake-kube/index.ts';
import { plan as planOf, shellStep } from '../test/support/plan.ts';

const STEPS = Number(process.argv[2] ?? 100);
const PARALLEL = Number(process.argv[3] ?? 1);
const NAMESPACE = 'bench';

const output: StepOutput = { write: () => {}, line: () => {}, end: () => {} };
const step = (name: string, image = 'alpine:3'): PlannedStep => shellStep('s', name, 'echo x', { image });
const plan = (steps: PlannedStep[]): BuildPlan => planOf([{ name: 's', runsIf: 'success', steps }]);
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

const fake = await startFakeKube({ namespaces: [NAMESPACE] });
const source = await mkdtemp(join(tmpdir(), 'berth-bench-'));
await writeFile(join(source, 'README'), 'bench\n');
const kubeConfig = loadKubeConfig(fake.kubeconfigPath);
if (!kubeConfig) throw new Error('no kubeconfig');
const runtime = createKubernetesRuntime({
  kubeConfig,
  namespace: NAMESPACE,
  instance: 'bench',
  helperImage: 'busybox:1.37',
  resources: null,
  nodeSelector: null,
  tolerations: null,
  imagePullSecrets: [],
  timeouts: { schedulingMs: 5000, stepMs: 60_000, buildMs: 600_000, cleanupMs: 10_000 },
  logger: pino({ level: 'warn' }),
});

// The observer: when the API first shows each pod's step terminated / ErrImagePull.
const firstSeen = new Map<string, number>();
const terminatedSeen = new Map<string, number>();
const pullErrorSeen = new Map<string, number>();
const observer = await new Watch(kubeConfig).watch(
  `/api/v1/namespaces/${NAMESPACE}/pods`,
  {},
  (_type: string, pod: V1Pod) => {
    const name = pod.metadata?.name ?? '';
    if (!firstSeen.has(name)) firstSeen.set(name, performance.now());
    const status = pod.status?.containerStatuses?.find((s) => s.name === 'step');
    if (status?.state?.terminated && !terminatedSeen.has(name)) terminatedSeen.set(name, performance.now());
    if (status?.state?.waiting?.reason === 'ErrImagePull' && !pullErrorSeen.has(name)) {
      pullErrorSeen.set(name, performance.now());
    }
  },
  () => {},
);
const observerRequests = fake.requests.length;

const steps = Array.from({ length: STEPS }, (_, i) => step(`instant-${i}`));
const session = await runtime.open(
  { id: 'bench', instance: 'bench', plan: plan(steps), source: { dir: source, respectGitignore: false } },
  AbortSignal.timeout(600_000),
);
const added: number[] = [];
const startedAt = performance.now();
let failures = 0;
for (let i = 0; i < steps.length; i += PARALLEL) {
  await Promise.all(
    steps.slice(i, i + PARALLEL).map(async (planned) => {
      const called = performance.now();
      const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(60_000));
      const returned = performance.now();
      if (outcome.status !== 'success') failures++;
      const name = podName('bench', planned.stage, planned.name);
      const created = firstSeen.get(name);
      const exited = terminatedSeen.get(name);
      if (created !== undefined && exited !== undefined) added.push(created - called + (returned - exited));
    }),
  );
}
await session.cleanup();
const elapsed = performance.now() - startedAt;
const stepRequests = fake.requests.slice(observerRequests);

// Image error: from the first ErrImagePull on the API to the step failing.
const broken = step('broken', 'registry.example/team/does-not-exist:1');
const imageSession = await runtime.open(
  {
    id: 'bench-image',
    instance: 'bench',
    plan: plan([broken]),
    source: { dir: source, respectGitignore: false },
  },
  AbortSignal.timeout(60_000),
);
const outcome = await imageSession.runStep(broken, { output }, AbortSignal.timeout(60_000));
const failedAt = performance.now();
await imageSession.cleanup();
const pulled = [...pullErrorSeen.values()][0];

observer.abort();
await fake.close();
await rm(source, { recursive: true, force: true });

const byVerb = new Map<string, number>();
for (const entry of stepRequests) {
  byVerb.set(entry.verb, (byVerb.get(entry.verb) ?? 0) + 1);
}
console.log(
  `steps: ${STEPS} instant containers (${PARALLEL} in parallel), failures: ${failures}, wall ${elapsed.toFixed(0)} ms`,
);
console.log(
  `API requests per step: ${(stepRequests.length / STEPS).toFixed(2)} (${[...byVerb].map(([v, n]) => `${v} ${n}`).join(', ')}; target ≤ 4)`,
);
console.log(
  `added latency per step: median ${percentile(added, 50).toFixed(1)} ms, p95 ${percentile(added, 95).toFixed(1)} ms over ${added.length} steps (target < 50 ms)`,
);
console.log(
  `ErrImagePull → step failed: ${pulled === undefined ? 'n/a' : `${(failedAt - pulled).toFixed(1)} ms`} (${outcome.status}${outcome.status === 'error' ? `, ${outcome.reason}` : ''}; target < 1000 ms)`,
);
