import { shownRecord } from '../../builds/inputs.ts';
import type { BuildRecord } from '../../builds/types.ts';

/** A record as `GET /api/builds/:id` serves it: `ref` on top, password inputs masked. */
export function buildJson(record: BuildRecord) {
  return { ...shownRecord(record), ref: record.request.ref };
}
