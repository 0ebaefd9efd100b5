import type { BuildRecord } from '../../builds/types.ts';

/** A record as `GET /api/builds/:id` serves it: `ref` on top, input values hidden (they may be passwords). */
export function buildJson(record: BuildRecord) {
  const inputs = Object.fromEntries(Object.keys(record.request.inputs).map((k) => [k, '***']));
  return { ...record, ref: record.request.ref, request: { ...record.request, inputs } };
}
