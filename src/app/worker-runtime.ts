import type { Logger } from 'pino';
import { resolveDockerEndpoint } from '../config/docker-endpoint.ts';
import type { Config } from '../config/load.ts';
import { runBuild } from '../engine/index.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { BuildRunner } from '../queue/build-runner.ts';
import { createPlanAndRun } from '../queue/plan-and-run.ts';
import { defaultRuntimeKind, loadClusterAccess, selectRuntime } from '../runtime/select.ts';

/** What the worker runs builds with, the runtime kind it runs them on, and how to stop what it started. */
export interface WorkerRuntime {
  runner: BuildRunner;
  runtime: string;
  close(): Promise<void>;
}

/**
 * The worker's build runner on the configured runtime (BERTH_RUNTIME, else kubernetes
 * when found, else local). On Kubernetes it also runs the reaper, which deletes
 * step pods whose build is no longer queued or running (`isBuildActive`).
 */
export async function createWorkerRuntime(
  config: Readonly<Config>,
  logger: Logger,
  hostEnv: { PATH?: string | undefined; HOME?: string | undefined },
  isBuildActive: (id: string) => Promise<boolean>,
  metrics?: Pick<Metrics, 'kubeRequest'>,
): Promise<WorkerRuntime> {
  const onApiRequest = metrics ? (verb: string) => metrics.kubeRequest(verb) : undefined;
  const counted = onApiRequest ? { onApiRequest } : {};
  const kind =
    config.runtime ?? defaultRuntimeKind({ kubeconfig: config.kubernetes.kubeconfig, home: hostEnv.HOME });
  const kubeConfig = kind === 'kubernetes' ? await loadClusterAccess(config.kubernetes.kubeconfig) : null;
  const cluster = kubeConfig ? { kubeConfig } : {};
  const runtime = await selectRuntime(kind, {
    logger,
    hostEnv,
    killGraceMs: 10_000,
    config,
    ...counted,
    ...cluster,
  });
  const runner = createPlanAndRun({
    runtime,
    runBuild: (options) => runBuild({ ...options, logger }),
    instance: config.instance,
    images: config.images,
    wharfVars: config.pipelineVars.wharfVars,
    configuredVars: config.pipelineVars.configured,
    timeouts: {
      stepMs: config.timeouts.stepMs,
      buildMs: config.timeouts.buildMs,
      cleanupMs: config.timeouts.cleanupMs,
    },
    logCapBytes: config.logCapBytes,
    infraRetries: config.infraRetries,
  });
  const stop = new AbortController();
  if (kubeConfig) {
    logger.info({ namespace: runtime.namespace }, 'step pods run in this namespace');
    const { startReaper } = await import('../runtime/kubernetes/index.ts');
    startReaper({
      kubeConfig,
      namespace: runtime.namespace?.name ?? 'default',
      instance: config.instance,
      isBuildRunning: isBuildActive,
      intervalMs: 60_000,
      logger,
      signal: stop.signal,
      ...counted,
    });
  }
  if (kind === 'docker') await startDockerReaper(config, logger, isBuildActive, stop.signal);
  return { runner, runtime: kind, close: async () => stop.abort() };
}

/** On the Docker runtime: removes this instance's containers of builds no longer queued or running, now and every minute. */
async function startDockerReaper(
  config: Readonly<Config>,
  logger: Logger,
  isBuildActive: (id: string) => Promise<boolean>,
  signal: AbortSignal,
): Promise<void> {
  const { connectEngine, startContainerReaper } = await import('../runtime/docker/index.ts');
  startContainerReaper({
    docker: connectEngine(resolveDockerEndpoint(config.docker)),
    instance: config.instance,
    isBuildRunning: (buildId) => isBuildActive(buildId),
    intervalMs: 60_000,
    logger,
    signal,
  });
}
