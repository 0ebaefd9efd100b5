import type { Definition, StageDef } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';
import { fromWhere } from './fields.ts';
import type { ScalarValues } from './scalar-values.ts';
import { invalidRunsIf, runsIfOf, unknownEnvironment } from './stages.ts';
import type { RunsIf } from './types.ts';

/** A stage's runs-if with its `${var}`s substituted, checked like a literal one. */
export function stageRunsIf(stage: StageDef, values: ScalarValues, diags: Diagnostics): RunsIf {
  if (typeof stage.runsIf === 'string') return stage.runsIf;
  const { key, node } = stage.runsIf;
  const path = scope(stage.name, key);
  const value = values.of(node, path);
  const known = runsIfOf(value.text);
  if (known) return known;
  diags.error(node.pos, path, invalidRunsIf(key, `"${value.text}"${fromWhere(value)}`));
  return 'success';
}

/** The environments a stage runs in, names holding `${var}` substituted and checked; null: in all. */
export function stageEnvironments(
  stage: StageDef,
  definition: Definition,
  values: ScalarValues,
  diags: Diagnostics,
): string[] | null {
  if (stage.environments === null) return null;
  return stage.environments.map((entry, i) => {
    if (typeof entry === 'string') return entry;
    const path = scope(stage.name, 'environments', i);
    const value = values.of(entry, path);
    if (!definition.environments.has(value.text)) {
      diags.error(
        entry.pos,
        path,
        `${unknownEnvironment(value.text, definition.environments)}${fromWhere(value)}`,
      );
    }
    return value.text;
  });
}
