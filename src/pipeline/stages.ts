import type { EnvironmentDef, MapEntry, ScalarNode, StageDef } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import { holdsVariable } from './scalar-values.ts';
import { parseStep } from './steps.ts';
import type { RunsIf } from './types.ts';

const RUNS_IF: readonly RunsIf[] = ['success', 'fail', 'always'];
/** The original's parser knows `runs-if`; its docs and changelog say `run-if`. Both mean the same. */
const RUNS_IF_KEYS = new Set(['runs-if', 'run-if']);

/** Parses one root entry as a stage; null when it cannot be one. */
export function parseStage(
  entry: MapEntry,
  environments: Map<string, EnvironmentDef>,
  diags: Diagnostics,
): StageDef | null {
  const name = entry.key;
  if (entry.value.kind !== 'map' || entry.value.entries.length === 0) {
    const empty = entry.value.kind === 'map' || (entry.value.kind === 'scalar' && entry.value.value === null);
    diags.error(
      entry.keyPos,
      name,
      empty ? `empty stage "${name}": it has no steps` : `stage "${name}" must be a map of steps`,
    );
    return null;
  }
  const stage: StageDef = { name, pos: entry.keyPos, environments: null, runsIf: 'success', steps: [] };
  let runsIfKey: MapEntry | undefined;
  for (const child of entry.value.entries) {
    if (child.key === 'environments')
      stage.environments = parseStageEnvironments(child, name, environments, diags);
    else if (RUNS_IF_KEYS.has(child.key)) {
      if (runsIfKey)
        diags.error(
          child.keyPos,
          scope(name, child.key),
          `duplicate key "${child.key}" (same as "${runsIfKey.key}")`,
        );
      else stage.runsIf = parseRunsIf(child, name, diags);
      runsIfKey ??= child;
    } else {
      const step = parseStep(child, name, diags);
      if (step) stage.steps.push(step);
    }
  }
  const stepCount = entry.value.entries.filter(
    (e) => e.key !== 'environments' && !RUNS_IF_KEYS.has(e.key),
  ).length;
  if (stepCount === 0) diags.error(entry.keyPos, name, `empty stage "${name}": it has no steps`);
  return stage;
}

function parseRunsIf(entry: MapEntry, stage: string, diags: Diagnostics): StageDef['runsIf'] {
  const { value } = entry;
  if (value.kind === 'scalar' && holdsVariable(value)) return { key: entry.key, node: value };
  const known = value.kind === 'scalar' ? runsIfOf(value.text) : null;
  if (known) return known;
  const shown = value.kind === 'scalar' ? `"${value.text}"` : `a ${value.kind}`;
  diags.error(value.pos, scope(stage, entry.key), invalidRunsIf(entry.key, shown));
  return 'success';
}

/** success, fail or always from a runs-if text (any case, spaces trimmed); null otherwise. */
export function runsIfOf(text: string): RunsIf | null {
  const value = text.trim().toLowerCase();
  return RUNS_IF.includes(value as RunsIf) ? (value as RunsIf) : null;
}

export const invalidRunsIf = (key: string, shown: string): string =>
  `invalid ${key} ${shown}: expected success, fail or always`;

/** `environment "x" is not defined …` with the names that are. */
export function unknownEnvironment(name: string, environments: Map<string, EnvironmentDef>): string {
  const known = [...environments.keys()];
  const hint = known.length ? `known: ${known.join(', ')}` : 'the file defines no environments';
  return `environment "${name}" is not defined under the root "environments" (${hint})`;
}

function parseStageEnvironments(
  entry: MapEntry,
  stage: string,
  environments: Map<string, EnvironmentDef>,
  diags: Diagnostics,
): Array<string | ScalarNode> {
  const path = scope(stage, 'environments');
  if (entry.value.kind !== 'list') {
    diags.error(entry.value.pos, path, 'stage "environments" must be a list of environment names');
    return [];
  }
  const names: Array<string | ScalarNode> = [];
  entry.value.items.forEach((item, i) => {
    if (item.kind !== 'scalar' || item.value === null) {
      diags.error(item.pos, scope(path, i), 'an environment name must be a string');
      return;
    }
    if (holdsVariable(item)) {
      names.push(item);
      return;
    }
    if (!environments.has(item.text))
      diags.error(item.pos, scope(path, i), unknownEnvironment(item.text, environments));
    names.push(item.text);
  });
  return names;
}
