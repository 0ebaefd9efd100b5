/** The `.wharf-ci.yml` reader: parse → validate → substitute → BuildPlan, with positioned diagnostics. */
export type {
  Definition,
  EnvironmentDef,
  InputDef,
  InputType,
  StageDef,
  StepDef,
} from './definition.ts';
export { formatDiagnostic } from './format.ts';
export { lintDefinition } from './lint.ts';
export {
  DEFINITION_FILE,
  type LoadOptions,
  lintPipeline,
  loadPipeline,
  locateDefinition,
  planFromText,
} from './load.ts';
export type { PlanOptions, ToolImages } from './options.ts';
export { parseDefinition } from './parse.ts';
export { planBuild } from './plan.ts';
export { SUBSTITUTION_LIMITS, SubstitutionLimitError, substituteText } from './substitute.ts';
export type * from './types.ts';
export { VARS_FILE, varsFromText } from './vars-files.ts';
