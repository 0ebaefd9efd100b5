/**
 * Docker runtime on a real engine (the project's Podman engine unless DOCKER_HOST is
 * a unix socket), against the local runtime on the same steps.
 * `node bench/docker.ts [steps=20]`.
 *
 * Prints, per step: the time runStep takes on each runtime (median / p95) and the
 * difference (what the engine adds), the engine requests per step (counted by an HTTP
 * proxy on a unix socket in front of the engine, by route), and the time from the
 * engine's answer to a pull of a missing image to the step failing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import pino from 'pino';
import type { StepOutput } from '../src/logs/types.ts';
import type { BuildPlan, PlannedStep } from '../src/pipeline/types.ts';
import { createDockerRuntime } from '../src/runtime/docker/index.ts';
import { createLocalRuntime } from '../src/runtime/local/index.ts';
import type { Runtime } from '../src/runtime/types.ts';
import { startCountingProxy } from '../test/support/counting-proxy.ts';
import { plan as planOf, shellStep } from '../test/support/plan.ts';

const STEPS = Number(process.argv[2] ?? 20);
const IMAGE = 'localhost/berth-busybox:1';
const MISSING = 'localhost/berth-does-not-exist:1';

const host = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST
  : execFileSync(join(import.meta.dirname, '..', 'scripts', 'podman-engine.sh'), ['start'])
      .toString()
      .trim();
const proxy = await startCountingProxy(host.slice('unix://'.length));
const output: StepOutput = { write: () => {}, line: () => {}, end: () => {} };
const step = (name: string, image = IMAGE): PlannedStep => shellStep('s', name, 'echo x', { image });
const plan = (steps: PlannedStep[]): BuildPlan => planOf([{ name: 's', runsIf: 'success', steps }]);

const source = await mkdtemp(join(tmpdir(), 'berth-bench-src-'));
await writeFile(join(source, 'hello.txt'), 'hello\n');
const work = await mkdtemp(join(tmpdir(), 'berth-bench-work-'));

/** Runs `steps` one after another in one build: each runStep's duration in ms. */
async function timeSteps(runtime: Runtime, id: string, steps: PlannedStep[]): Promise<number[]> {
  const session = await runtime.open(
    { id, instance: 'bench', plan: plan(steps), source: { dir: source, respectGitignore: false } },
    AbortSignal.timeout(600_000),
  );
  const times: number[] = [];
  try {
    for (const planned of steps) {
      const started = performance.now();
      const outcome = await session.runStep(planned, { output }, AbortSignal.timeout(60_000));
      times.push(performance.now() - started);
      if (outcome.status !== 'success' && planned.image !== MISSING) throw new Error(JSON.stringify(outcome));
    }
  } finally {
    await session.cleanup();
  }
  return times;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

const steps = Array.from({ length: STEPS }, (_, i) => step(`step-${i}`));
const docker = createDockerRuntime({
  docker: new Dockerode({ socketPath: proxy.socketPath }),
  instance: 'bench',
  settings: { network: null, memoryBytes: null, cpus: null, pidsLimit: 1024, stopGraceSeconds: 5 },
  secretsDir: null,
  registry: { configPath: null, pullSecrets: [] },
  logger: pino({ level: 'silent' }),
});
const local = createLocalRuntime({ killGraceMs: 1000, workDir: work, hostEnv: { PATH: process.env.PATH } });

await timeSteps(docker, 'warm-up', [step('warm')]);
const before = proxy.requests.length;
const dockerTimes = await timeSteps(docker, 'bench-docker', steps);
const requests = proxy.requests.slice(before);
const localTimes = await timeSteps(local, 'bench-local', steps);

const pullStart = proxy.requests.length;
let failedAt = 0;
const missing = await docker.open(
  {
    id: 'bench-missing',
    instance: 'bench',
    plan: plan([step('missing', MISSING)]),
    source: { dir: source, respectGitignore: false },
  },
  AbortSignal.timeout(60_000),
);
const began = Date.now();
const outcome = await missing.runStep(step('missing', MISSING), { output }, AbortSignal.timeout(60_000));
failedAt = Date.now();
await missing.cleanup();
const pull = proxy.requests.slice(pullStart).find((request) => request.route === '/images/create');

const byRoute: Record<string, number> = {};
for (const { method, route } of requests)
  byRoute[`${method} ${route}`] = (byRoute[`${method} ${route}`] ?? 0) + 1;
console.log(`engine: ${host}; ${STEPS} instant steps, one after another, in one build`);
console.log(
  `docker runStep: median ${ms(quantile(dockerTimes, 0.5))}, p95 ${ms(quantile(dockerTimes, 0.95))}`,
);
console.log(`local  runStep: median ${ms(quantile(localTimes, 0.5))}, p95 ${ms(quantile(localTimes, 0.95))}`);
console.log(
  `engine-added per step (docker - local, medians): ${ms(quantile(dockerTimes, 0.5) - quantile(localTimes, 0.5))}`,
);
console.log(
  `engine requests per step: ${((requests.length - (byRoute['GET /events'] ?? 0)) / STEPS).toFixed(2)} (+ ${byRoute['GET /events'] ?? 0} events stream per build)`,
);
for (const [route, count] of Object.entries(byRoute)) {
  const waits = requests
    .filter((r) => `${r.method} ${r.route}` === route && r.answeredAt)
    .map((r) => (r.answeredAt ?? 0) - r.startedAt);
  console.log(`  ${route}: ${count} (engine answers in median ${ms(quantile(waits, 0.5))})`);
}
console.log(
  `missing image (${outcome.status === 'error' ? outcome.reason : outcome.status}): step failed ${failedAt - began} ms after runStep began; ${pull?.firstBytesAt ? `${failedAt - pull.firstBytesAt} ms` : 'n/a'} after the engine's pull answer (its error) arrived`,
);

await proxy.close();
await rm(source, { recursive: true, force: true });
await rm(work, { recursive: true, force: true });
