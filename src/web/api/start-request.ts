import { realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { z } from 'zod';
import type { BuildRequest } from '../../builds/types.ts';

const bodySchema = z.object({
  source: z
    .string()
    .regex(
      /^(github|gitlab|local):.+$/,
      'must be github:OWNER/REPO, gitlab:GROUP/PROJECT or local:/abs/path',
    ),
  ref: z.string().trim().min(1).max(255),
  refType: z.enum(['branch', 'tag']).optional(),
  sha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, 'must be a hexadecimal commit sha')
    .optional(),
  environment: z.string().trim().min(1).max(63).optional(),
  inputs: z
    .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .optional(),
});

/** The BuildRequest of a `POST /api/builds` body, or the message naming what is wrong. */
export async function startRequest(
  body: unknown,
  localSources: readonly string[],
): Promise<{ ok: true; request: BuildRequest } | { ok: false; message: string }> {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    };
  }
  const { source, ref, refType, sha, environment, inputs } = parsed.data;
  const colon = source.indexOf(':');
  const forge = source.slice(0, colon) as BuildRequest['forge'];
  let repo = source.slice(colon + 1);
  if (forge === 'local') {
    const allowed = await allowedLocal(repo, localSources);
    if (!allowed.ok) return allowed;
    repo = allowed.path;
  } else if (!/^[\w.-]+(\/[\w.-]+)+$/.test(repo)) {
    return { ok: false, message: `source: '${repo}' is not a repository path such as owner/name` };
  }
  const request: BuildRequest = {
    forge,
    repo,
    ref,
    refType: refType ?? 'branch',
    trigger: 'manual',
    inputs: inputs ?? {},
    rerun: true,
  };
  if (sha) request.sha = sha;
  if (environment) request.environment = environment;
  return { ok: true, request };
}

async function allowedLocal(
  path: string,
  roots: readonly string[],
): Promise<{ ok: true; path: string } | { ok: false; message: string }> {
  if (!isAbsolute(path)) return { ok: false, message: `source: local path '${path}' must be absolute` };
  const real = await realpath(path).catch(() => null);
  if (!real) return { ok: false, message: `source: local path '${path}' does not exist` };
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (!realRoot) continue;
    const inside = relative(realRoot, real);
    if (!inside.startsWith('..') && !isAbsolute(inside)) return { ok: true, path: real };
  }
  return {
    ok: false,
    message: `source: local path '${path}' is not inside a folder listed in BERTH_LOCAL_SOURCES`,
  };
}
