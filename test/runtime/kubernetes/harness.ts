import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import type { LogStream, StepOutput } from '../../../src/logs/types.ts';
import type { BuildPlan, PlannedStep } from '../../../src/pipeline/types.ts';
import {
  createKubernetesRuntime,
  type KubernetesRuntimeOptions,
  loadKubeConfig,
} from '../../../src/runtime/kubernetes/index.ts';
import type { BuildContext, Runtime, StepOutcome } from '../../../src/runtime/types.ts';
import { type FakeKube, type FakeKubeOptions, startFakeKube } from '../../support/fake-kube/index.ts';
import { startCuttingProxy } from './cutting-proxy.ts';

/** A StepOutput that keeps every line (tests read them back). */
export interface CollectedOutput extends StepOutput {
  lines: Array<{ stream: LogStream; text: string; time: number }>;
  texts(stream?: LogStream): string[];
}

export function collectOutput(): CollectedOutput {
  const lines: CollectedOutput['lines'] = [];
  return {
    lines,
    texts: (stream) => lines.filter((line) => !stream || line.stream === stream).map((line) => line.text),
    write: (stream, chunk) => {
      for (const text of String(chunk).split('\n').filter(Boolean))
        lines.push({ stream, text, time: Date.now() });
    },
    line: (stream, text, time) => lines.push({ stream, text, time: time ?? Date.now() }),
    end: () => {},
  };
}

/** A plan of stages (in order) made of the given steps. */
export function planOf(...stages: PlannedStep[][]): BuildPlan {
  return {
    environment: null,
    inputs: {},
    secretInputs: [],
    secrets: [],
    variables: {},
    stages: stages.map((steps, index) => ({
      name: steps[0]?.stage ?? `stage-${index}`,
      runsIf: 'success' as const,
      steps,
    })),
  };
}

export const NAMESPACE = 'berth-ci';

export interface Harness {
  fake: FakeKube;
  /** Log-stream cuts the proxy has not made yet (0 without a proxy). */
  cutsLeft(): number;
  runtime: Runtime;
  namespace: string;
  sourceDir: string;
  build(id: string, plan: BuildPlan): BuildContext;
}

/** Starts the fake API server, a runtime pointed at it through a kubeconfig, and a source folder. */
export async function startHarness(
  t: TestContext,
  overrides: Partial<KubernetesRuntimeOptions> = {},
  fakeOptions: FakeKubeOptions & { cutLogs?: { cuts: number; afterBytes: number } } = {},
): Promise<Harness> {
  const { cutLogs, ...rest } = fakeOptions;
  const fake = await startFakeKube({ namespaces: [NAMESPACE], ...rest });
  t.after(() => fake.close());
  const proxy = cutLogs ? await startCuttingProxy(fake.url, cutLogs) : null;
  if (proxy) t.after(() => proxy.close());
  const sourceDir = await mkdtemp(join(tmpdir(), 'berth-kube-src-'));
  t.after(() => rm(sourceDir, { recursive: true, force: true }));
  await writeFile(join(sourceDir, 'hello.txt'), 'hello from the repo\n');
  const kubeConfig = proxy ? kubeConfigFor(proxy.url) : loadKubeConfig(fake.kubeconfigPath);
  if (!kubeConfig) throw new Error('the fake wrote no kubeconfig');
  const runtime = createKubernetesRuntime({
    kubeConfig,
    namespace: NAMESPACE,
    instance: 'test',
    helperImage: 'busybox:1.37',
    resources: null,
    nodeSelector: null,
    tolerations: null,
    imagePullSecrets: [],
    timeouts: { schedulingMs: 2000, stepMs: 60_000, buildMs: 120_000, cleanupMs: 10_000 },
    logger: process.env.BERTH_KUBE_TEST_LOG
      ? pino({ level: 'debug' }, pino.destination(process.env.BERTH_KUBE_TEST_LOG))
      : pino({ level: 'silent' }),
    ...overrides,
  });
  return {
    fake,
    cutsLeft: () => proxy?.cutsLeft() ?? 0,
    runtime,
    namespace: NAMESPACE,
    sourceDir,
    build: (id, plan) => ({
      id,
      instance: 'test',
      plan,
      source: { dir: sourceDir, respectGitignore: false },
    }),
  };
}

/** A kubeconfig for the fake's token user at `url`. */
function kubeConfigFor(url: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kubeConfig;
}

/** Opens a one-build session and runs `steps` in order, each with its own collected output. */
export async function runSteps(
  harness: Harness,
  id: string,
  steps: PlannedStep[],
  signal: AbortSignal = AbortSignal.timeout(30_000),
): Promise<Array<{ outcome: StepOutcome; output: CollectedOutput }>> {
  const session = await harness.runtime.open(harness.build(id, planOf(steps)), signal);
  try {
    const results: Array<{ outcome: StepOutcome; output: CollectedOutput }> = [];
    for (const planned of steps) {
      const output = collectOutput();
      results.push({ outcome: await session.runStep(planned, { output }, signal), output });
    }
    return results;
  } finally {
    await session.cleanup();
  }
}
