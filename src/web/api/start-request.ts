import { z } from 'zod';
import type { BuildRequest } from '../../builds/types.ts';
import { insideLocalRoots } from '../../source/local-roots.ts';

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
  /** `all` (the default): every step runs; `failed`: reuse the steps that succeeded in the last build of this sha. */
  rerun: z.enum(['all', 'failed']).optional(),
});

/** The BuildRequest of a `POST /api/builds` body, or the message naming what is wrong. */
export async function startRequest(
  body: unknown,
  localSources: readonly string[],
): Promise<{ ok: true; request: BuildRequest; rerun: 'all' | 'failed' } | { ok: false; message: string }> {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    };
  }
  const { source, ref, refType, sha, environment, inputs, rerun } = parsed.data;
  if (rerun === 'failed' && !sha) return { ok: false, message: 'rerun: "failed" needs a sha' };
  const colon = source.indexOf(':');
  const forge = source.slice(0, colon) as BuildRequest['forge'];
  let repo = source.slice(colon + 1);
  if (forge === 'local') {
    const allowed = await insideLocalRoots(repo, localSources);
    if (!allowed.ok) return { ok: false, message: `source: ${allowed.message}` };
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
  return { ok: true, request, rerun: rerun ?? 'all' };
}
