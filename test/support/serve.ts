// Berth composed as `berth serve` composes it (src/cli/serve.ts), quiet, on a free
// local port: the configured runtime's executor, metrics passed through.
import { createEngineExecutor } from '../../src/app/engine-executor.ts';
import type { Role } from '../../src/app/roles.ts';
import { type App, startApp } from '../../src/app/start.ts';
import { loadConfig } from '../../src/config/load.ts';
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
    executor: ({ isBuildActive, metrics }) =>
      createEngineExecutor(config, quietLogger, hostEnv, isBuildActive, metrics),
  });
}
