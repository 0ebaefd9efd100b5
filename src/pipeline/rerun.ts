import type { MapEntry } from './definition.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { RerunMode } from './types.ts';

/** The reserved root key saying how `/retest` may rerun this repository's builds. */
export const RERUN_KEY = 'rerun';

/** Parses the root `rerun` entry; null when absent or invalid (with a diagnostic). */
export function parseRerun(entry: MapEntry | undefined, diags: Diagnostics): RerunMode | null {
  if (!entry) return null;
  const value = entry.value;
  if (value.kind === 'scalar' && (value.value === 'all' || value.value === 'failed')) return value.value;
  diags.error(
    entry.keyPos,
    RERUN_KEY,
    value.kind === 'map'
      ? '"rerun" is a reserved key (rerun: all | failed); a stage cannot be named "rerun": rename the stage'
      : '"rerun" must be "all" (every rerun runs every step) or "failed" (the default: /retest reuses steps that succeeded)',
  );
  return null;
}
