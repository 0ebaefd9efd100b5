import { z } from 'zod';

const csv = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(/[,\s]+/).filter(Boolean) : []));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const minutes = (fallback: number) =>
  z.coerce
    .number()
    .positive()
    .default(fallback)
    .transform((m) => Math.round(m * 60_000));
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['true', '1', 'yes', 'on'].includes(v)));
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema.optional());

/** Every environment variable Berth reads, in one place. See `.env.example`. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('localhost'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json', 'auto']).default('auto'),
  REDIS_URL: z.string().url().optional(),

  // GitHub App (names as Probot's)
  APP_ID: z.string().optional(),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string().optional(),
  GHE_HOST: z.string().optional(),
  GHE_PROTOCOL: z.enum(['http', 'https']).default('https'),

  // GitLab
  GITLAB_URL: z.string().url().default('https://gitlab.com'),
  GITLAB_TOKEN: z.string().optional(),
  GITLAB_WEBHOOK_SECRET: z.string().optional(),

  // Berth
  BERTH_PUBLIC_URL: z.string().url().optional(),
  BERTH_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  BERTH_LOCAL_SOURCES: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(':').filter(Boolean) : [])),
  BERTH_INSTANCE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
    .default('berth'),
  BERTH_RUNTIME: z.enum(['kubernetes', 'local']).optional(),
  BERTH_CONCURRENCY: positiveInt(4),
  BERTH_GLOBAL_CONCURRENCY: positiveInt(50),
  BERTH_STEP_TIMEOUT_MINUTES: minutes(60),
  BERTH_BUILD_TIMEOUT_MINUTES: minutes(120),
  BERTH_SCHEDULING_TIMEOUT_MINUTES: minutes(5),
  BERTH_LOG_CAP_BYTES: positiveInt(10 * 1024 * 1024),
  BERTH_RETENTION_DAYS: positiveInt(30),
  BERTH_SHUTDOWN_TIMEOUT_SECONDS: positiveInt(30),

  // Kubernetes runtime
  KUBECONFIG: z.string().optional(),
  BERTH_NAMESPACE: z.string().default('berth-builds'),
  BERTH_POD_RESOURCES: json(
    z.object({
      requests: z.record(z.string(), z.string()).optional(),
      limits: z.record(z.string(), z.string()).optional(),
    }),
  ),
  BERTH_NODE_SELECTOR: json(z.record(z.string(), z.string())),
  BERTH_TOLERATIONS: json(z.array(z.record(z.string(), z.unknown()))),
  BERTH_IMAGE_PULL_SECRETS: csv,
  BERTH_HELPER_IMAGE: z.string().default('busybox:1.37'),

  // Tool images for non-container step types
  BERTH_IMAGE_KANIKO: z.string().default('gcr.io/kaniko-project/executor:v1.23.2-debug'),
  BERTH_IMAGE_HELM: z.string().default('alpine/helm:3.16.2'),
  BERTH_IMAGE_KUBECTL: z.string().default('bitnami/kubectl:1.31'),
  BERTH_IMAGE_DOTNET: z.string().default('mcr.microsoft.com/dotnet/sdk:8.0'),

  // Pipeline variables provided by configuration
  REG_URL: z.string().optional(),
  REG_SECRET: z.string().optional(),
  REG_INSECURE: z.string().optional(),
  CHART_REPO: z.string().optional(),
  HELM_REG_SECRET: z.string().optional(),

  BERTH_REDACT_REFERENCED_SECRETS: bool(false),
});

export type RawEnv = z.input<typeof envSchema>;
