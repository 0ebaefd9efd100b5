// Berth composed as `berth serve` composes it (src/cli/serve.ts), quiet, on a free
// local port: the configured runtime's build runner, metrics passed through.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '../../src/app/roles.ts';
import { type App, startApp } from '../../src/app/start.ts';
import { createWorkerRuntime } from '../../src/app/worker-runtime.ts';
import { loadConfig } from '../../src/config/load.ts';
import { tempDir } from './engine.ts';
import { quietLogger } from './queue-harness.ts';

/** Starts Berth with `env` (PORT 0 and HOST 127.0.0.1 unless given) in `role`. */
export function startServe(env: Record<string, string>, role: Role = 'all'): Promise<App> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env });
  const hostEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return startApp({
    config,
    role,
    logger: quietLogger,
    path: process.env.PATH,
    workerRuntime: ({ isBuildActive, metrics }) =>
      createWorkerRuntime(config, quietLogger, hostEnv, isBuildActive, metrics),
  });
}

/** A temp folder whose .wharf-ci.yml echoes BUILD_REF (test/fixtures/echo-build-ref.wharf-ci.yml): a local source. */
export async function echoPipelineFolder(prefix: string) {
  const folder = await tempDir(prefix);
  await copyFile(
    new URL('../fixtures/echo-build-ref.wharf-ci.yml', import.meta.url),
    join(folder.dir, '.wharf-ci.yml'),
  );
  return folder;
}
