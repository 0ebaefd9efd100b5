import { z } from 'zod';
import { forgeNames, refTypes, triggerKinds } from '../vocab/index.ts';

const name = z.string().trim().min(1).max(255);

/**
 * The zod schema of a queued build request; `parseBuildRequest` wraps it and
 * `BuildRequest` is derived from it. Validated on enqueue and again in the worker.
 */
export const buildRequestSchema = z.object({
  /** Which forge it came from. */
  forge: z.enum(forgeNames),
  /** `owner/name` (GitHub), `group/sub/project` (GitLab), absolute path (local). */
  repo: name,
  /** Forge-specific numeric id: GitLab project id; absent elsewhere. */
  projectId: z.number().int().positive().optional(),
  /** GitHub App installation id. */
  installationId: z.number().int().positive().optional(),
  /** Full commit sha; for `local` it may be absent (the working tree as it is). */
  sha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, 'must be a hexadecimal commit sha')
    .optional(),
  /** Branch or tag name without `refs/heads/` (`refs/tags/` kept out too; see `refType`). */
  ref: name,
  refType: z.enum(refTypes),
  trigger: z.enum(triggerKinds),
  /** PR / MR number when the build is for one. */
  change: z.number().int().positive().optional(),
  /** PR/MR source repo when it differs from `repo` (forks). */
  headRepo: name.optional(),
  environment: z.string().trim().min(1).max(63).optional(),
  inputs: z.record(z.string().min(1).max(255), z.string().max(65_536)).default({}),
  /**
   * Names of password inputs whose values must never be stored in the build record:
   * the record keeps only the names; the values travel in the queue job alone.
   */
  secretInputs: z.array(z.string().min(1).max(255)).max(100).optional(),
  /** Who caused it (forge login), when known. */
  actor: name.optional(),
  /** Webhook delivery id (GitHub `X-GitHub-Delivery`, GitLab `Idempotency-Key`). */
  deliveryId: z.string().min(1).max(255).optional(),
  /** Explicit reruns never join an existing queued/running build. */
  rerun: z.boolean().default(false),
  /**
   * `/retest`: the earlier build of the same sha whose successful steps are reused (not
   * run again) when the variables match and the pipeline allows it (no `rerun: all`).
   */
  reuseFrom: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a build id')
    .optional(),
  /** Head commit subject and dates when the event carries them (build variables). */
  commit: z
    .object({
      subject: z.string().optional(),
      authorDate: z.string().optional(),
      committerDate: z.string().optional(),
    })
    .optional(),
});

/** Optional keys hold a value when present (`exactOptionalPropertyTypes`): no `key: undefined`. */
type Present<T> = {
  [K in keyof T]: Exclude<T[K], undefined> extends infer V
    ? V extends readonly unknown[]
      ? V
      : V extends Record<string, unknown>
        ? Present<V>
        : V
    : never;
};

/** A request for one build, as queued: the output of `buildRequestSchema`, `undefined`s dropped. */
export type BuildRequest = Present<z.output<typeof buildRequestSchema>>;

/** The result of validating untrusted input as a BuildRequest. */
export type ParsedRequest = { ok: true; request: BuildRequest } | { ok: false; message: string };

/** Validates `input`; the error message names every bad field (`sha: must be …`). */
export function parseBuildRequest(input: unknown): ParsedRequest {
  const parsed = buildRequestSchema.safeParse(input);
  if (parsed.success) return { ok: true, request: stripUndefined(parsed.data) as BuildRequest };
  const message = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`)
    .join('; ');
  return { ok: false, message };
}

/** The request as its build record keeps it: without the values of its secret inputs. */
export function recordedRequest(request: BuildRequest): BuildRequest {
  if (!request.secretInputs?.length) return request;
  const secret = new Set(request.secretInputs);
  const inputs = Object.fromEntries(Object.entries(request.inputs).filter(([name]) => !secret.has(name)));
  return { ...request, inputs };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
