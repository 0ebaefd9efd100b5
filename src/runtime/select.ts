import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { registryConfigPath, resolveDockerEndpoint } from '../config/docker-endpoint.ts';
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
  config: Pick<
    Readonly<Config>,
    'kubernetes' | 'docker' | 'timeouts' | 'instance' | 'logCapBytes' | 'workDir'
  >;
  /** Overrides BERTH_NAMESPACE (`berth run --namespace`). */
  namespace?: string;
  /** In a pod, the service account's namespace file (default: its in-pod path; tests pass their own). */
  serviceAccountNamespaceFile?: string;
  /** Called once per Kubernetes API request, by verb (the worker's request counter). */
  onApiRequest?: (verb: string) => void;
  /** Docker runtime: told which engine was found (`berth run` prints it). */
  onEngine?: (description: string) => void;
  /**
   * Docker runtime, `berth run`: before the first build, remove containers of this
   * instance label whose owner process (on this host) is gone (a killed `berth run`).
   */
  reapInstance?: string;
  /** Cluster access already loaded by `loadClusterAccess` (the worker shares it with the reaper). */
  kubeConfig?: KubeConfig;
}

/** Runtime kinds this build can start. */
export const AVAILABLE_RUNTIMES: readonly RuntimeKind[] = ['local', 'kubernetes', 'docker'];

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
  if (kind === 'docker') return selectDockerRuntime(deps);
  const { kubernetes, timeouts, instance, logCapBytes } = deps.config;
  const { createKubernetesRuntime, resolveNamespace } = await import('./kubernetes/index.ts');
  const kubeConfig = deps.kubeConfig ?? (await loadClusterAccess(kubernetes.kubeconfig));
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
    repoGrants: kubernetes.repoGrants,
    ...(deps.onApiRequest ? { onApiRequest: deps.onApiRequest } : {}),
  });
}

/**
 * The Docker runtime on the engine DOCKER_HOST or the first socket found names; one
 * request asks it who it is (logged, and an unreachable engine is a ConfigError).
 */
async function selectDockerRuntime(deps: RuntimeDeps): Promise<Runtime> {
  const { docker: settings, instance, kubernetes, timeouts } = deps.config;
  const endpoint = resolveDockerEndpoint(settings);
  const where =
    endpoint.kind === 'unix'
      ? `unix://${endpoint.socketPath}`
      : `${endpoint.tls ? 'https' : 'http'}://${endpoint.host}:${endpoint.port}`;
  const { connectEngine, createDockerRuntime, describeEngine, ownerAlive, reapContainers } = await import(
    './docker/index.ts'
  );
  const docker = connectEngine(endpoint);
  const found = await describeEngine(docker, AbortSignal.timeout(10_000)).catch((error: unknown) => {
    throw new ConfigError(
      `cannot reach the container engine at ${where} (${endpoint.source}): ${(error as Error).message}`,
      error,
    );
  });
  const text = `${found.name} ${found.version} (API ${found.apiVersion}) at ${where}`;
  deps.logger.info(
    { engine: found.name, version: found.version, apiVersion: found.apiVersion, endpoint: where },
    'container engine found',
  );
  deps.onEngine?.(text);
  if (deps.reapInstance) {
    const { hostname } = await import('node:os');
    await reapContainers({
      docker,
      instance: deps.reapInstance,
      isBuildRunning: ownerAlive(hostname()),
      logger: deps.logger,
      signal: AbortSignal.timeout(timeouts.cleanupMs),
    }).catch((error: unknown) => deps.logger.warn({ err: error }, 'removing leftover containers failed'));
  }
  return createDockerRuntime({
    docker,
    instance,
    settings: {
      network: settings.network,
      memoryBytes: settings.memoryBytes,
      cpus: settings.cpus,
      pidsLimit: settings.pidsLimit,
      stopGraceSeconds: Math.max(1, Math.ceil(deps.killGraceMs / 1000)),
    },
    secretsDir: settings.secretsDir,
    grants: kubernetes.repoGrants,
    registry: { configPath: registryConfigPath(settings), pullSecrets: kubernetes.imagePullSecrets },
    logger: deps.logger,
    cleanupMs: timeouts.cleanupMs,
  });
}

type Resources = Readonly<Config>['kubernetes']['resources'];

/** Drops absent halves (the runtime's type has no `undefined` members). */
function podResources(resources: Resources) {
  if (!resources) return null;
  const { requests, limits } = resources;
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/**
 * Loads cluster access once (KUBECONFIG, ~/.kube/config, in-cluster); a missing or
 * unusable kubeconfig is a ConfigError saying what to do.
 */
export async function loadClusterAccess(path: string | null): Promise<KubeConfig> {
  const { loadKubeConfig } = await import('./kubernetes/index.ts');
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
