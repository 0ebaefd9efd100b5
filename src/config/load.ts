import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import type { RedisTarget } from '../redis/target.ts';
import { DEFAULT_POD_RESOURCES, type EnvValues, parseEnv } from './schema.ts';

/** A worker's lock on its build when BERTH_LOCK_SECONDS is unset. */
export const DEFAULT_LOCK_MS = 8000;

const WHARF_VAR = /^WHARF_VAR_(.+)$/;

/** Berth's configuration: read once from the environment at the edge, then frozen. */
export type Config = ReturnType<typeof shapeConfig>;

function shapeConfig(env: EnvValues, wharfVars: Record<string, string>, privateKey?: string) {
  return {
    http: { port: env.PORT, host: env.HOST, publicUrl: env.BERTH_PUBLIC_URL ?? null },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    redisUrl: env.REDIS_URL ?? null,
    /** Sentinel or Cluster when configured; null: REDIS_URL or the embedded redis-server. */
    redisHa: redisHaTarget(env),
    /** Replicas each log batch and record update waits for (WAIT), and how long at most. */
    redisWait: {
      replicas:
        env.BERTH_REDIS_WAIT_REPLICAS >= 0
          ? env.BERTH_REDIS_WAIT_REPLICAS
          : env.REDIS_SENTINELS.length > 0
            ? 1
            : 0,
      timeoutMs: env.BERTH_REDIS_WAIT_MS,
    },
    redisPrefix: env.BERTH_REDIS_PREFIX,
    apiToken: env.BERTH_API_TOKEN ?? null,
    signIn: signInConfig(env),
    localSources: env.BERTH_LOCAL_SOURCES,
    instance: env.BERTH_INSTANCE,
    runtime: env.BERTH_RUNTIME ?? null,
    /** Where the local runtime puts step copies; null: chosen per build (runtime/local/work-dir.ts). */
    workDir: env.BERTH_WORK_DIR ?? env.TMPDIR ?? null,
    concurrency: {
      perWorker: env.BERTH_CONCURRENCY,
      global: env.BERTH_GLOBAL_CONCURRENCY,
      perRepo: env.BERTH_REPO_CONCURRENCY,
      perOwner: env.BERTH_OWNER_CONCURRENCY,
    },
    /** When a dead worker's build goes to another worker (see docs/serve.md). */
    takeover: {
      lockMs: env.BERTH_LOCK_SECONDS ?? DEFAULT_LOCK_MS,
      /** BERTH_LOCK_SECONDS was set: kept as given even when a Sentinel failover takes longer. */
      lockGiven: env.BERTH_LOCK_SECONDS !== undefined,
      stalledCheckMs: env.BERTH_STALLED_CHECK_SECONDS,
      maxTakeovers: env.BERTH_MAX_TAKEOVERS,
    },
    timeouts: {
      stepMs: env.BERTH_STEP_TIMEOUT_MINUTES,
      buildMs: env.BERTH_BUILD_TIMEOUT_MINUTES,
      schedulingMs: env.BERTH_SCHEDULING_TIMEOUT_MINUTES,
      cleanupMs: 60_000,
      shutdownMs: env.BERTH_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    },
    logCapBytes: env.BERTH_LOG_CAP_BYTES,
    /** Extra runs of a step after an infrastructure failure (never after an exit code or a timeout). */
    infraRetries: env.BERTH_INFRA_RETRIES,
    /** Bytes of webhook bodies the web process buffers at once (both forges); past it: 503. */
    webhookInFlightBytes: env.BERTH_WEBHOOK_INFLIGHT_BYTES,
    /** Live-log (SSE) followers one web process serves at once, in all and of one build. */
    logFollowers: { perProcess: env.BERTH_LOG_FOLLOWERS, perBuild: env.BERTH_LOG_FOLLOWERS_PER_BUILD },
    retentionDays: env.BERTH_RETENTION_DAYS,
    github:
      env.APP_ID && privateKey && env.WEBHOOK_SECRET
        ? {
            appId: env.APP_ID,
            privateKey,
            webhookSecret: env.WEBHOOK_SECRET,
            baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : null,
          }
        : null,
    gitlab:
      env.GITLAB_TOKEN && env.GITLAB_WEBHOOK_SECRET
        ? { url: env.GITLAB_URL, token: env.GITLAB_TOKEN, webhookSecret: env.GITLAB_WEBHOOK_SECRET }
        : null,
    kubernetes: {
      kubeconfig: env.KUBECONFIG ?? null,
      /** Null: the kubeconfig context's, else the pod's, else `default` (runtime/kubernetes/namespace.ts). */
      namespace: env.BERTH_NAMESPACE ?? null,
      resources: env.BERTH_POD_RESOURCES ?? DEFAULT_POD_RESOURCES,
      nodeSelector: env.BERTH_NODE_SELECTOR ?? null,
      tolerations: env.BERTH_TOLERATIONS ?? null,
      imagePullSecrets: env.BERTH_IMAGE_PULL_SECRETS,
      helperImage: env.BERTH_HELPER_IMAGE,
      redactReferencedSecrets: env.BERTH_REDACT_REFERENCED_SECRETS,
      repoGrants: env.BERTH_REPO_SECRETS ?? {},
    },
    docker: {
      host: env.DOCKER_HOST ?? null,
      tlsVerify:
        env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0',
      certPath: env.DOCKER_CERT_PATH ?? null,
      /** Folder of the registry credentials file (config.json); null: ~/.docker. */
      configDir: env.DOCKER_CONFIG ?? null,
      xdgRuntimeDir: env.XDG_RUNTIME_DIR ?? null,
      home: env.HOME ?? null,
      /** Network of step containers: null = the engine's default; 'none' = no network. */
      network: env.BERTH_DOCKER_NETWORK || null,
      memoryBytes: env.BERTH_DOCKER_MEMORY,
      cpus: env.BERTH_DOCKER_CPUS || null,
      pidsLimit: env.BERTH_DOCKER_PIDS_LIMIT,
      /** Folder of secrets laid out as mounted Kubernetes Secrets (`NAME/KEY` files); null: none. */
      secretsDir: env.BERTH_DOCKER_SECRETS_DIR ?? null,
    },
    images: {
      kaniko: env.BERTH_IMAGE_KANIKO,
      helm: env.BERTH_IMAGE_HELM,
      kubectl: env.BERTH_IMAGE_KUBECTL,
      dotnet: env.BERTH_IMAGE_DOTNET,
    },
    /** Variables from configuration (REG_URL, CHART_REPO, …) and WHARF_VAR_*. */
    pipelineVars: {
      configured: Object.fromEntries(
        (['REG_URL', 'REG_SECRET', 'REG_INSECURE', 'CHART_REPO', 'HELM_REG_SECRET'] as const).flatMap((k) =>
          env[k] === undefined ? [] : [[k, env[k]]],
        ),
      ) as Record<string, string>,
      wharfVars,
    },
  };
}

/** REDIS_SENTINELS + REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES; checked by checkRedisHa. */
function redisHaTarget(env: EnvValues): Exclude<RedisTarget, string> | null {
  const url = env.REDIS_URL ?? null;
  if (env.REDIS_SENTINELS.length > 0 && env.REDIS_SENTINEL_NAME) {
    const sentinelPassword = env.REDIS_SENTINEL_PASSWORD ?? null;
    return {
      kind: 'sentinel',
      sentinels: env.REDIS_SENTINELS,
      name: env.REDIS_SENTINEL_NAME,
      url,
      sentinelPassword,
    };
  }
  if (env.REDIS_CLUSTER_NODES.length > 0) return { kind: 'cluster', nodes: env.REDIS_CLUSTER_NODES, url };
  return null;
}

/** The Redis settings that cannot go together. */
function checkRedisHa(env: EnvValues): string[] {
  const problems: string[] = [];
  const sentinel = env.REDIS_SENTINELS.length > 0;
  if (sentinel && !env.REDIS_SENTINEL_NAME)
    problems.push(
      'REDIS_SENTINEL_NAME: must name the primary the sentinels watch when REDIS_SENTINELS is set',
    );
  if (!sentinel && env.REDIS_SENTINEL_NAME)
    problems.push('REDIS_SENTINELS: must list the sentinels (host:port,…) when REDIS_SENTINEL_NAME is set');
  if (sentinel && env.REDIS_CLUSTER_NODES.length > 0)
    problems.push('REDIS_CLUSTER_NODES: cannot be set together with REDIS_SENTINELS (choose one)');
  if (env.REDIS_CLUSTER_NODES.length > 0 && env.REDIS_URL && /^rediss?:\/\/[^/]*\/[1-9]/.test(env.REDIS_URL))
    problems.push('REDIS_URL: a Redis Cluster has only database 0');
  if (env.REDIS_CLUSTER_NODES.length > 0 && env.BERTH_REDIS_WAIT_REPLICAS > 0)
    problems.push(
      'BERTH_REDIS_WAIT_REPLICAS: not supported on a Redis Cluster (set it with Sentinel or REDIS_URL)',
    );
  return problems;
}

/** Web URL of github.com or the GHE host; its REST API. */
function githubUrls(env: EnvValues): { webUrl: string; apiUrl: string } {
  if (!env.GHE_HOST) return { webUrl: 'https://github.com', apiUrl: 'https://api.github.com' };
  const webUrl = `${env.GHE_PROTOCOL}://${env.GHE_HOST}`;
  return { webUrl, apiUrl: `${webUrl}/api/v3` };
}

/** Who may sign in to the pages and how long a session lasts. */
function signInConfig(env: EnvValues) {
  return {
    /** BERTH_PUBLIC_READ: pages and the read API answer everyone (writes still need access). */
    publicRead: env.BERTH_PUBLIC_READ,
    sessionMs: Math.round(env.BERTH_SESSION_HOURS * 3600_000),
    github:
      env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET
        ? { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET, ...githubUrls(env) }
        : null,
    gitlab:
      env.GITLAB_OAUTH_CLIENT_ID && env.GITLAB_OAUTH_CLIENT_SECRET
        ? {
            clientId: env.GITLAB_OAUTH_CLIENT_ID,
            clientSecret: env.GITLAB_OAUTH_CLIENT_SECRET,
            url: env.GITLAB_URL.replace(/\/+$/, ''),
          }
        : null,
  };
}

/**
 * Reads and validates the environment. Throws ConfigError naming every bad variable.
 * `env` defaults to nothing: callers at the edge pass `process.env`.
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const parsed = parseEnv(env);
  const problems = parsed.ok ? checkRedisHa(parsed.values) : parsed.problems;
  if (!parsed.ok || problems.length > 0)
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  const wharfVars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const name = WHARF_VAR.exec(key)?.[1];
    if (name && value !== undefined) wharfVars[name] = value;
  }
  let privateKey = parsed.values.PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (!privateKey && parsed.values.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(parsed.values.PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      throw new ConfigError(`PRIVATE_KEY_PATH: cannot read ${parsed.values.PRIVATE_KEY_PATH}`, error);
    }
  }
  return deepFreeze(shapeConfig(parsed.values, wharfVars, privateKey));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
