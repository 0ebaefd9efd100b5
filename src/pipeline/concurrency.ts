import type { ConcurrencyDef, MapEntry } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import { fromWhere } from './fields.ts';
import type { ScalarValues } from './scalar-values.ts';
import type { ConcurrencyPlan } from './types.ts';

/** The reserved root key. */
export const CONCURRENCY_KEY = 'concurrency';
const FIELDS = new Set(['group', 'limit', 'cancel-in-progress']);
/** Longest group name after substitution (it shows in statuses and keys a Redis line). */
export const MAX_GROUP_LENGTH = 200;
/** Highest `limit`: a group that allows more is not a limit. */
export const MAX_GROUP_LIMIT = 1000;

/** Parses the root `concurrency` entry; null (with a diagnostic) when it is not a valid one. */
export function parseConcurrency(entry: MapEntry | undefined, diags: Diagnostics): ConcurrencyDef | null {
  if (!entry) return null;
  const value = entry.value;
  if (value.kind !== 'map' || !value.entries.some((e) => FIELDS.has(e.key))) {
    const looksLikeStage = value.kind === 'map' && value.entries.length > 0;
    diags.error(
      entry.keyPos,
      CONCURRENCY_KEY,
      looksLikeStage
        ? '"concurrency" is a reserved key (concurrency group: group, limit, cancel-in-progress); a stage cannot be named "concurrency": rename the stage'
        : '"concurrency" must be a map with a "group" (and optionally "limit", "cancel-in-progress")',
    );
    return null;
  }
  const at = (key: string) => value.entries.find((e) => e.key === key);
  for (const e of value.entries) {
    if (!FIELDS.has(e.key))
      diags.warning(e.keyPos, scope(CONCURRENCY_KEY, e.key), `unknown field "${e.key}" (ignored)`);
  }
  const group = at('group');
  let ok = true;
  if (group?.value.kind !== 'scalar' || group.value.text.trim() === '') {
    diags.error(
      group?.value.pos ?? entry.keyPos,
      scope(CONCURRENCY_KEY, 'group'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable, shown to the user
      'concurrency needs a "group": a name such as deploy-${GIT_BRANCH}',
    );
    ok = false;
  }
  const limitEntry = at('limit');
  let limit = 1;
  if (limitEntry) {
    const v = limitEntry.value;
    if (v.kind === 'scalar' && Number.isInteger(v.value) && (v.value as number) >= 1) {
      limit = v.value as number;
      if (limit > MAX_GROUP_LIMIT) {
        diags.error(v.pos, scope(CONCURRENCY_KEY, 'limit'), `"limit" must be at most ${MAX_GROUP_LIMIT}`);
        ok = false;
      }
    } else {
      diags.error(v.pos, scope(CONCURRENCY_KEY, 'limit'), '"limit" must be a whole number of 1 or more');
      ok = false;
    }
  }
  const cancelEntry = at('cancel-in-progress');
  let cancelInProgress = false;
  if (cancelEntry) {
    const v = cancelEntry.value;
    if (v.kind === 'scalar' && typeof v.value === 'boolean') cancelInProgress = v.value;
    else {
      diags.error(
        v.pos,
        scope(CONCURRENCY_KEY, 'cancel-in-progress'),
        '"cancel-in-progress" must be true or false',
      );
      ok = false;
    }
  }
  if (!ok || !group || group.value.kind !== 'scalar') return null;
  return { group: group.value, limit, cancelInProgress, pos: entry.keyPos };
}

/** The group with its variables substituted, checked: non-empty, bounded, one line. */
export function planConcurrency(
  def: ConcurrencyDef | null,
  values: ScalarValues,
  diags: Diagnostics,
): ConcurrencyPlan | null {
  if (!def) return null;
  const path = scope(CONCURRENCY_KEY, 'group');
  const value = values.of(def.group, path);
  const group = value.text.trim();
  const problem =
    group === ''
      ? 'is empty'
      : group.length > MAX_GROUP_LENGTH
        ? `is longer than ${MAX_GROUP_LENGTH} characters`
        : /[\p{Cc}]/u.test(group)
          ? 'holds control characters'
          : null;
  if (problem) {
    diags.error(def.group.pos, path, `the concurrency group ${problem}${fromWhere(value)}`);
    return null;
  }
  return { group, limit: def.limit, cancelInProgress: def.cancelInProgress };
}
