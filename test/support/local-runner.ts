import { loadConfig } from '../../src/config/load.ts';
import { runBuild } from '../../src/engine/index.ts';
import { createPlanAndRun } from '../../src/queue/plan-and-run.ts';
import { createLocalRuntime } from '../../src/runtime/local/index.ts';

/** The real plan-and-run build runner on the local runtime, with test-sized timeouts. */
export const localPlanAndRun = (wharfVars: Record<string, string> = {}) =>
  createPlanAndRun({
    runtime: createLocalRuntime({ killGraceMs: 300, hostEnv: { PATH: process.env.PATH } }),
    runBuild,
    instance: 'test',
    images: loadConfig({}).images,
    wharfVars,
    configuredVars: {},
    timeouts: { stepMs: 60_000, buildMs: 60_000, cleanupMs: 5_000 },
    logCapBytes: 1e6,
  });
