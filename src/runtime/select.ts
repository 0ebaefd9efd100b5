import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.ts';
import { createLocalRuntime } from './local/index.ts';
import type { Runtime, RuntimeKind } from './types.ts';

/** What building a runtime may need; the CLI and the worker pass what they have. */
export interface RuntimeDeps {
  logger?: Logger;
  /** PATH and HOME for local steps. */
  hostEnv: { PATH?: string | undefined; HOME?: string | undefined };
  /** SIGTERM → SIGKILL grace for local steps. */
  killGraceMs: number;
}

/** Runtime kinds this build can start. */
export const AVAILABLE_RUNTIMES: readonly RuntimeKind[] = ['local'];

/** The one place a runtime kind becomes a Runtime; a kind this build lacks is a ConfigError. */
export function selectRuntime(kind: RuntimeKind, deps: RuntimeDeps): Runtime {
  if (kind === 'local') {
    const { logger, hostEnv, killGraceMs } = deps;
    return createLocalRuntime({ killGraceMs, hostEnv, ...(logger ? { logger } : {}) });
  }
  throw new ConfigError(`the ${kind} runtime is not available in this build; use --runtime local`);
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The runtime used when none is asked for: `kubernetes` when a kubeconfig
 * (KUBECONFIG, ~/.kube/config) or an in-cluster service account is found and
 * this build has that runtime, else `local`.
 */
export function defaultRuntimeKind(
  found: { kubeconfig: string | null; home: string | undefined },
  exists: (path: string) => boolean = existsSync,
): RuntimeKind {
  const candidates = [
    found.kubeconfig,
    found.home ? join(found.home, '.kube', 'config') : null,
    IN_CLUSTER_TOKEN,
  ];
  const kube = candidates.some((path) => path !== null && exists(path));
  return kube && AVAILABLE_RUNTIMES.includes('kubernetes') ? 'kubernetes' : 'local';
}
