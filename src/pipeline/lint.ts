import type { Definition } from './definition.ts';
import { sortDiagnostics, strictDiagnostics, uniqueDiagnostics } from './diagnostics.ts';
import type { PlanOptions } from './options.ts';
import { planBuild } from './plan.ts';
import type { Diagnostic } from './types.ts';

/**
 * Checks every stage in a context where it runs: planned without an environment,
 * then once per root environment; the problems of all those plans, each once.
 */
export function lintDefinition(
  definition: Definition,
  options: Omit<PlanOptions, 'environment' | 'stage'> & { file: string },
): Diagnostic[] {
  const contexts: Array<string | undefined> = [undefined, ...definition.environments.keys()];
  const all = contexts.flatMap((environment) => {
    const planOptions = { ...options, strict: false };
    return planBuild(definition, environment === undefined ? planOptions : { ...planOptions, environment })
      .diagnostics;
  });
  return strictDiagnostics(sortDiagnostics(uniqueDiagnostics(all)), options.strict);
}
