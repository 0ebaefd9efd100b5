import type { BuildFilter, BuildService } from '../../builds/service.ts';
import type { BuildRecord } from '../../builds/types.ts';
import type { Viewer, WebAccess } from './access.ts';

/** Reads beyond the newest builds stop here: older readable ones are not listed. */
const MAX_SCANNED = 500;

/**
 * The newest `limit` builds matching `filter` that the viewer may read. Everyone sees
 * everything with BERTH_PUBLIC_READ or as the admin; a user's list reads twice the limit
 * first and up to 500 builds only when too few of those were readable.
 */
export async function readableBuilds(
  service: BuildService,
  access: WebAccess,
  viewer: Viewer,
  filter: Omit<BuildFilter, 'limit'>,
  limit: number,
): Promise<BuildRecord[]> {
  if (access.publicRead || viewer.kind === 'admin') return service.list({ ...filter, limit });
  if (viewer.kind === 'anonymous') return [];
  const target = (r: BuildRecord) => ({ forge: r.request.forge, repo: r.request.repo });
  for (const size of [Math.min(Math.max(limit * 2, 100), MAX_SCANNED), MAX_SCANNED]) {
    const records = await service.list({ ...filter, limit: size });
    const readable = await access.readable(viewer, records, target);
    if (readable.length >= limit || records.length < size || size === MAX_SCANNED)
      return readable.slice(0, limit);
  }
  return [];
}
