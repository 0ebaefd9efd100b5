import type { EnvironmentDef, MapEntry, StageDef } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
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

function parseRunsIf(entry: MapEntry, stage: string, diags: Diagnostics): RunsIf {
  const value = entry.value.kind === 'scalar' ? entry.value.text.trim().toLowerCase() : '';
  if (RUNS_IF.includes(value as RunsIf)) return value as RunsIf;
  const shown = entry.value.kind === 'scalar' ? `"${entry.value.text}"` : `a ${entry.value.kind}`;
  diags.error(
    entry.value.pos,
    scope(stage, entry.key),
    `invalid ${entry.key} ${shown}: expected success, fail or always`,
  );
  return 'success';
}

function parseStageEnvironments(
  entry: MapEntry,
  stage: string,
  environments: Map<string, EnvironmentDef>,
  diags: Diagnostics,
): string[] {
  const path = scope(stage, 'environments');
  if (entry.value.kind !== 'list') {
    diags.error(entry.value.pos, path, 'stage "environments" must be a list of environment names');
    return [];
  }
  const names: string[] = [];
  entry.value.items.forEach((item, i) => {
    if (item.kind !== 'scalar' || item.value === null) {
      diags.error(item.pos, scope(path, i), 'an environment name must be a string');
      return;
    }
    if (!environments.has(item.text)) {
      const known = [...environments.keys()];
      const hint = known.length ? `known: ${known.join(', ')}` : 'the file defines no environments';
      diags.error(
        item.pos,
        scope(path, i),
        `environment "${item.text}" is not defined under the root "environments" (${hint})`,
      );
    }
    names.push(item.text);
  });
  return names;
}
