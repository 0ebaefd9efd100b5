import {
  byteSize,
  type Field,
  FieldError,
  flag,
  hostPorts,
  json,
  list,
  longText,
  matching,
  minutes,
  number,
  objectList,
  oneOf,
  optionalSeconds,
  paths,
  podResources,
  positiveInt,
  repoGrants,
  seconds,
  stringMap,
  text,
  url,
} from './env-fields.ts';

/**
 * Requests and limits of every step container when BERTH_POD_RESOURCES is unset: a step
 * cannot take a node's memory or CPU by default. `BERTH_POD_RESOURCES={}` sets none.
 */
export const DEFAULT_POD_RESOURCES = Object.freeze({
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '2', memory: '2Gi' },
});

/** Every environment variable Berth reads, in one place. See `.env.example`. */
const envFields = {
  PORT: number({ fallback: 3000, integer: true, min: 0, max: 65535 }),
  HOST: text('localhost'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  LOG_FORMAT: oneOf(['pretty', 'json', 'auto'], 'auto'),
  REDIS_URL: url(),
  // Redis behind Sentinel, or a Redis Cluster (src/redis/target.ts); REDIS_URL then gives only credentials and TLS.
  REDIS_SENTINELS: hostPorts(),
  REDIS_SENTINEL_NAME: text(),
  REDIS_SENTINEL_PASSWORD: text(),
  REDIS_CLUSTER_NODES: hostPorts(),
  // Replicas that must have each log batch and record update (WAIT); unset: 1 with Sentinel, else 0.
  BERTH_REDIS_WAIT_REPLICAS: number({ fallback: -1, integer: true, min: 0, max: 16 }),
  BERTH_REDIS_WAIT_MS: number({ fallback: 1000, integer: true, min: 1, max: 60_000 }),
  /** Every Redis key, channel and queue of this Berth starts with it (src/redis-keys.ts). */
  BERTH_REDIS_PREFIX: matching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'berth'),

  // GitHub App (names as Probot's)
  APP_ID: text(),
  PRIVATE_KEY: text(),
  PRIVATE_KEY_PATH: text(),
  WEBHOOK_SECRET: text(),
  GHE_HOST: text(),
  GHE_PROTOCOL: oneOf(['http', 'https'], 'https'),
  // Sign-in with GitHub: the App's user authorization (names as Probot's)
  GITHUB_CLIENT_ID: text(),
  GITHUB_CLIENT_SECRET: text(),

  // GitLab
  GITLAB_URL: url('https://gitlab.com'),
  GITLAB_TOKEN: text(),
  GITLAB_WEBHOOK_SECRET: text(),
  GITLAB_OAUTH_CLIENT_ID: text(),
  GITLAB_OAUTH_CLIENT_SECRET: text(),

  // Berth
  BERTH_PUBLIC_URL: url(),
  BERTH_API_TOKEN: longText(16, 'must be at least 16 characters'),
  BERTH_LOCAL_SOURCES: paths(),
  BERTH_PUBLIC_READ: flag(false),
  BERTH_SESSION_HOURS: number({ fallback: 8, positive: true, max: 24 * 30 }),
  BERTH_INSTANCE: matching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'berth'),
  BERTH_RUNTIME: oneOf(['kubernetes', 'local', 'docker']),
  BERTH_WORK_DIR: text(),
  TMPDIR: text(),
  BERTH_CONCURRENCY: positiveInt(4),
  BERTH_GLOBAL_CONCURRENCY: positiveInt(50),
  BERTH_REPO_CONCURRENCY: positiveInt(4),
  BERTH_OWNER_CONCURRENCY: positiveInt(16),
  BERTH_STEP_TIMEOUT_MINUTES: minutes(60),
  BERTH_BUILD_TIMEOUT_MINUTES: minutes(120),
  BERTH_SCHEDULING_TIMEOUT_MINUTES: minutes(5),
  BERTH_LOG_CAP_BYTES: positiveInt(10 * 1024 * 1024),
  // Webhook bodies buffered at once across both forges' ingress; at least one 25 MiB body.
  BERTH_WEBHOOK_INFLIGHT_BYTES: number({ fallback: 32 * 1024 * 1024, integer: true, min: 25 * 1024 * 1024 }),
  BERTH_RETENTION_DAYS: positiveInt(30),
  BERTH_SHUTDOWN_TIMEOUT_SECONDS: positiveInt(30),
  // Unset: 8 s, raised with Sentinel to outlast a failover (src/app/worker-lock.ts).
  BERTH_LOCK_SECONDS: optionalSeconds(),
  BERTH_STALLED_CHECK_SECONDS: seconds(2),
  BERTH_LOG_FOLLOWERS: positiveInt(1000),
  BERTH_LOG_FOLLOWERS_PER_BUILD: positiveInt(100),
  BERTH_MAX_TAKEOVERS: number({ fallback: 2, integer: true, min: 0, max: 100 }),
  // Runs of a step again after an infrastructure failure (evicted pod, lost node, engine gone).
  BERTH_INFRA_RETRIES: number({ fallback: 1, integer: true, min: 0, max: 5 }),

  // Kubernetes runtime
  KUBECONFIG: text(),
  BERTH_NAMESPACE: text(),
  BERTH_POD_RESOURCES: json(podResources),
  BERTH_NODE_SELECTOR: json((value) => stringMap(value)),
  BERTH_TOLERATIONS: json(objectList),
  BERTH_IMAGE_PULL_SECRETS: list(),
  BERTH_HELPER_IMAGE: text('busybox:1.37'),

  // Docker / Podman runtime (engine discovery: src/config/docker-endpoint.ts)
  DOCKER_HOST: text(),
  DOCKER_TLS_VERIFY: text(),
  DOCKER_CERT_PATH: text(),
  DOCKER_CONFIG: text(),
  XDG_RUNTIME_DIR: text(),
  HOME: text(),
  BERTH_DOCKER_NETWORK: matching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, ''),
  BERTH_DOCKER_MEMORY: byteSize(),
  BERTH_DOCKER_CPUS: number({ fallback: 0, min: 0, max: 1024 }),
  BERTH_DOCKER_PIDS_LIMIT: positiveInt(1024),
  BERTH_DOCKER_SECRETS_DIR: text(),

  // Tool images for non-container step types
  BERTH_IMAGE_KANIKO: text('gcr.io/kaniko-project/executor:v1.23.2-debug'),
  BERTH_IMAGE_HELM: text('alpine/helm:3.16.2'),
  BERTH_IMAGE_KUBECTL: text('bitnami/kubectl:1.31'),
  BERTH_IMAGE_DOTNET: text('mcr.microsoft.com/dotnet/sdk:8.0'),

  // Pipeline variables provided by configuration
  REG_URL: text(),
  REG_SECRET: text(),
  REG_INSECURE: text(),
  CHART_REPO: text(),
  HELM_REG_SECRET: text(),

  BERTH_REDACT_REFERENCED_SECRETS: flag(false),
  BERTH_REPO_SECRETS: json(repoGrants),
} satisfies Record<string, Field<unknown>>;

/** The parsed environment. */
export type EnvValues = { [K in keyof typeof envFields]: ReturnType<(typeof envFields)[K]> };

/** Parses every variable; the problems are `NAME: message` (or `NAME.key: message`), all at once. */
export function parseEnv(
  env: Record<string, string | undefined>,
): { ok: true; values: EnvValues } | { ok: false; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, field] of Object.entries(envFields)) {
    try {
      values[name] = (field as Field<unknown>)(env[name]);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      problems.push(`${[name, ...error.path].join('.')}: ${error.message}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values: values as EnvValues };
}
