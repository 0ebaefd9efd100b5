import type { MapEntry, StepDef } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import { STEP_FIELDS, STEP_TYPES } from './step-types/fields.ts';
import type { StepType } from './types.ts';

/** Parses one step: a map with exactly one key, its type, holding the type's fields. */
export function parseStep(entry: MapEntry, stage: string, diags: Diagnostics): StepDef | null {
  const path = scope(stage, entry.key);
  const body = entry.value;
  if (body.kind !== 'map' || body.entries.length === 0) {
    const empty = body.kind === 'map' || (body.kind === 'scalar' && body.value === null);
    const message = empty
      ? `step "${entry.key}" has no type (expected one of ${STEP_TYPES.join(', ')})`
      : `step "${entry.key}" must be a map with one key, its type`;
    diags.error(entry.keyPos, path, message);
    return null;
  }
  if (body.entries.length > 1) {
    const types = body.entries.map((e) => e.key).join(', ');
    diags.error(
      body.entries[1]?.keyPos ?? entry.keyPos,
      path,
      `step "${entry.key}" has several types (${types}); expected exactly one`,
    );
    return null;
  }
  const typeEntry = body.entries[0] as MapEntry;
  const type = typeEntry.key as StepType;
  if (!STEP_TYPES.includes(type)) {
    diags.error(
      typeEntry.keyPos,
      scope(path, typeEntry.key),
      `unknown step type "${typeEntry.key}" (expected one of ${STEP_TYPES.join(', ')})`,
    );
    return null;
  }
  const fields = stepFields(typeEntry, scope(path, type), diags);
  if (!fields) return null;
  return { stage, name: entry.key, type, pos: entry.keyPos, typePos: typeEntry.keyPos, fields };
}

function stepFields(typeEntry: MapEntry, path: string, diags: Diagnostics): Map<string, MapEntry> | null {
  const fields = new Map<string, MapEntry>();
  const value = typeEntry.value;
  if (value.kind === 'scalar' && value.value === null) return fields;
  if (value.kind !== 'map') {
    diags.error(value.pos, path, `"${typeEntry.key}" must be a map of fields`);
    return null;
  }
  const known = STEP_FIELDS[typeEntry.key as StepType];
  for (const field of value.entries) {
    if (!known.includes(field.key)) {
      diags.warning(
        field.keyPos,
        scope(path, field.key),
        `unknown field "${field.key}" for a ${typeEntry.key} step (ignored)`,
      );
      continue;
    }
    fields.set(field.key, field);
  }
  return fields;
}
