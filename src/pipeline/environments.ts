import type { EnvironmentDef, EnvVar, MapEntry } from './definition.ts';
import { type Diagnostics, scope } from './diagnostics.ts';

/** Parses the root `environments` map: name → map of scalar variables. */
export function parseEnvironments(
  entry: MapEntry | undefined,
  diags: Diagnostics,
): Map<string, EnvironmentDef> {
  const environments = new Map<string, EnvironmentDef>();
  if (!entry || (entry.value.kind === 'scalar' && entry.value.value === null)) return environments;
  if (entry.value.kind !== 'map') {
    diags.error(
      entry.value.pos,
      'environments',
      '"environments" must be a map of environment name → variables',
    );
    return environments;
  }
  for (const env of entry.value.entries) {
    const path = scope('environments', env.key);
    const vars = new Map<string, EnvVar>();
    environments.set(env.key, { name: env.key, pos: env.keyPos, vars });
    if (env.value.kind === 'scalar' && env.value.value === null) continue;
    if (env.value.kind !== 'map') {
      diags.error(env.value.pos, path, `environment "${env.key}" must be a map of variables`);
      continue;
    }
    for (const v of env.value.entries) {
      if (v.value.kind !== 'scalar' || v.value.value === null) {
        const what = v.value.kind === 'scalar' ? 'empty' : `a ${v.value.kind}`;
        diags.error(
          v.value.pos,
          scope(path, v.key),
          `variable "${v.key}" must be a string, boolean or number, not ${what}`,
        );
        continue;
      }
      vars.set(v.key, { value: v.value.value, text: v.value.text, pos: v.value.pos });
    }
  }
  return environments;
}
