import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { runBuild } from '../engine/index.ts';
import type { BuildExecutor } from '../queue/executor.ts';
import { createPipelineExecutor } from '../queue/pipeline-executor.ts';
import { defaultRuntimeKind, selectRuntime } from '../runtime/select.ts';

/** The worker's executor on the configured runtime (BERTH_RUNTIME, else kubernetes when found, else local). */
export async function createEngineExecutor(
  config: Readonly<Config>,
  logger: Logger,
  hostEnv: { PATH?: string | undefined; HOME?: string | undefined },
): Promise<{ execute: BuildExecutor; runtime: string }> {
  const kind =
    config.runtime ?? defaultRuntimeKind({ kubeconfig: config.kubernetes.kubeconfig, home: hostEnv.HOME });
  const runtime = selectRuntime(kind, { logger, hostEnv, killGraceMs: 10_000, config });
  const execute = createPipelineExecutor({
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
  });
  return { execute, runtime: kind };
}
