import { realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';

/** Why a `local:` path may not be built, in words the API and a failed build both show. */
export type LocalRootCheck = { ok: true; path: string } | { ok: false; message: string };

/**
 * Whether `path` (absolute, symlinks resolved) lies inside one of `roots`
 * (BERTH_LOCAL_SOURCES). Checked where a request comes in and again where the worker
 * reads the folder, so a job written to the queue by anything else cannot name one.
 */
export async function insideLocalRoots(path: string, roots: readonly string[]): Promise<LocalRootCheck> {
  if (!isAbsolute(path)) return { ok: false, message: `local path '${path}' must be absolute` };
  const real = await realpath(path).catch(() => null);
  if (!real) return { ok: false, message: `local path '${path}' does not exist` };
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (!realRoot) continue;
    const inside = relative(realRoot, real);
    if (!inside.startsWith('..') && !isAbsolute(inside)) return { ok: true, path: real };
  }
  return { ok: false, message: `local path '${path}' is not inside a folder listed in BERTH_LOCAL_SOURCES` };
}
