import { z } from 'zod';
import type { BuildRequest } from './types.ts';

const name = z.string().trim().min(1).max(255);

/** The zod schema of a queued build request; `parseBuildRequest` wraps it. */
export const buildRequestSchema = z.object({
  forge: z.enum(['github', 'gitlab', 'local']),
  repo: name,
  projectId: z.number().int().positive().optional(),
  installationId: z.number().int().positive().optional(),
  sha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, 'must be a hexadecimal commit sha')
    .optional(),
  ref: name,
  refType: z.enum(['branch', 'tag']),
  trigger: z.enum(['push', 'tag', 'change', 'retest', 'test', 'ok-to-test', 'rerequested', 'manual']),
  change: z.number().int().positive().optional(),
  headRepo: name.optional(),
  environment: z.string().trim().min(1).max(63).optional(),
  inputs: z.record(z.string().min(1).max(255), z.string().max(65_536)).default({}),
  secretInputs: z.array(z.string().min(1).max(255)).max(100).optional(),
  actor: name.optional(),
  deliveryId: z.string().min(1).max(255).optional(),
  rerun: z.boolean().default(false),
  commit: z
    .object({
      subject: z.string().optional(),
      authorDate: z.string().optional(),
      committerDate: z.string().optional(),
    })
    .optional(),
});

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
