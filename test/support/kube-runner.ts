import { loadConfig } from '../../src/config/load.ts';
import { runBuild } from '../../src/engine/index.ts';
import { createPlanAndRun } from '../../src/queue/plan-and-run.ts';
import { selectRuntime } from '../../src/runtime/select.ts';
import { quietLogger } from './queue-harness.ts';

/** The worker's real build runner on the Kubernetes runtime described by `env` (KUBECONFIG, BERTH_NAMESPACE). */
export async function kubePlanAndRun(env: Record<string, string | undefined>) {
  const config = loadConfig(env);
  const runtime = await selectRuntime('kubernetes', {
    logger: quietLogger,
    hostEnv: { PATH: env.PATH },
    killGraceMs: 500,
    config,
  });
  return createPlanAndRun({
    runtime,
    runBuild,
    instance: config.instance,
    images: config.images,
    wharfVars: {},
    configuredVars: {},
    timeouts: { stepMs: 60_000, buildMs: 60_000, cleanupMs: 10_000 },
    logCapBytes: 1e6,
  });
}
