import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { createLocalRuntime } from './local/index.ts';
import type { Runtime, RuntimeKind } from './types.ts';

/** What building a runtime may need; the CLI and the worker pass what they have. */
export interface RuntimeDeps {
  logger: Logger;
  /** PATH and HOME for local steps. */
  hostEnv: { PATH?: string | undefined; HOME?: string | undefined };
  /** SIGTERM → SIGKILL grace for local steps. */
  killGraceMs: number;
  /** Local runtime: start the first build's process launchers now (`berth run`). */
  startLaunchers?: boolean;
  /** Settings of the Kubernetes runtime (cluster access, pod defaults, timeouts). */
  config: Pick<Readonly<Config>, 'kubernetes' | 'timeouts' | 'instance' | 'logCapBytes' | 'workDir'>;
  /** Overrides BERTH_NAMESPACE (`berth run --namespace`). */
  namespace?: string;
  /** In a pod, the service account's namespace file (default: its in-pod path; tests pass their own). */
  serviceAccountNamespaceFile?: string;
  /** Called once per Kubernetes API request, by verb (the worker's request counter). */
  onApiRequest?: (verb: string) => void;
}

/** Runtime kinds this build can start. */
export const AVAILABLE_RUNTIMES: readonly RuntimeKind[] = ['local', 'kubernetes'];

/**
 * The one place a runtime kind becomes a Runtime; missing cluster access is a
 * ConfigError. The Kubernetes client loads only when asked for: importing it
 * takes seconds and ~80 MB, which `berth run` on the local runtime never pays.
 */
export async function selectRuntime(kind: RuntimeKind, deps: RuntimeDeps): Promise<Runtime> {
  const { logger, hostEnv, killGraceMs, startLaunchers = false } = deps;
  if (kind === 'local') {
    const { workDir } = deps.config;
    return createLocalRuntime({
      killGraceMs,
      hostEnv,
      logger,
      startLaunchers,
      ...(workDir ? { workDir } : {}),
    });
  }
  const { kubernetes, timeouts, instance, logCapBytes } = deps.config;
  const { createKubernetesRuntime, loadKubeConfig, resolveNamespace } = await import('./kubernetes/index.ts');
  const kubeConfig = readKubeConfig(kubernetes.kubeconfig, loadKubeConfig);
  const namespace = resolveNamespace(kubeConfig, {
    flag: deps.namespace,
    configured: kubernetes.namespace,
    ...(deps.serviceAccountNamespaceFile
      ? { serviceAccountNamespaceFile: deps.serviceAccountNamespaceFile }
      : {}),
  });
  return createKubernetesRuntime({
    kubeConfig,
    namespace: namespace.name,
    namespaceReason: namespace.reason,
    instance,
    helperImage: kubernetes.helperImage,
    resources: podResources(kubernetes.resources),
    nodeSelector: kubernetes.nodeSelector,
    tolerations: kubernetes.tolerations,
    imagePullSecrets: [...kubernetes.imagePullSecrets],
    timeouts,
    logger,
    logCapBytes,
    redactReferencedSecrets: kubernetes.redactReferencedSecrets,
    ...(deps.onApiRequest ? { onApiRequest: deps.onApiRequest } : {}),
  });
}

type Resources = Readonly<Config>['kubernetes']['resources'];

/** Drops absent halves (the runtime's type has no `undefined` members). */
function podResources(resources: Resources) {
  if (!resources) return null;
  const { requests, limits } = resources;
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

function readKubeConfig(
  path: string | null,
  loadKubeConfig: (path: string | null) => KubeConfig | null,
): KubeConfig {
  let kubeConfig: KubeConfig | null;
  try {
    kubeConfig = loadKubeConfig(path);
  } catch (error) {
    throw new ConfigError(`cannot use the kubeconfig: ${(error as Error).message}`, error);
  }
  if (!kubeConfig) {
    throw new ConfigError(
      'no Kubernetes access found: set KUBECONFIG, create ~/.kube/config, or run in a cluster; or use --runtime local',
    );
  }
  return kubeConfig;
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
