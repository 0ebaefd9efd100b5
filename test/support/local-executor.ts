import { loadConfig } from '../../src/config/load.ts';
import { runBuild } from '../../src/engine/index.ts';
import { createPipelineExecutor } from '../../src/queue/pipeline-executor.ts';
import { createLocalRuntime } from '../../src/runtime/local/index.ts';

/** The real pipeline executor on the local runtime, with test-sized timeouts. */
export const localPipelineExecutor = (wharfVars: Record<string, string> = {}) =>
  createPipelineExecutor({
    runtime: createLocalRuntime({ killGraceMs: 300, hostEnv: { PATH: process.env.PATH } }),
    runBuild,
    instance: 'test',
    images: loadConfig({}).images,
    wharfVars,
    configuredVars: {},
    timeouts: { stepMs: 60_000, buildMs: 60_000, cleanupMs: 5_000 },
    logCapBytes: 1e6,
  });
