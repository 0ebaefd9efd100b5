import { planConcurrency } from './concurrency.ts';
import type { Definition, StageDef } from './definition.ts';
import { Diagnostics, START, sortDiagnostics, strictDiagnostics } from './diagnostics.ts';
import { FieldReader } from './fields.ts';
import { resolveInputs } from './input-values.ts';
import type { PlanOptions } from './options.ts';
import { ScalarValues } from './scalar-values.ts';
import { stageEnvironments, stageRunsIf } from './stage-values.ts';
import { PLANNERS } from './step-types/index.ts';
import { Substituter } from './substitute.ts';
import type { BuildPlan, PlannedStage, PlanResult } from './types.ts';
import { forgeFactTrust, stringLayer, type Trust, type VariableLayer, VariableScope } from './variables.ts';

/** Resolves a parsed definition into a BuildPlan for one environment, inputs and stage. */
export function planBuild(definition: Definition, options: PlanOptions & { file: string }): PlanResult {
  const diags = new Diagnostics(options.file);
  const environment = selectEnvironment(definition, options.environment, diags);
  const inputs = resolveInputs(definition, options.inputs, diags);
  const scope = new VariableScope([
    inputs.layer,
    ...environmentLayer(definition, environment),
    ...optionLayers(options),
  ]);
  const subst = new Substituter(scope);
  const values = new ScalarValues(subst, diags, definition.lineStarts);
  const buildRef = subst.variable('BUILD_REF')?.text ?? '';
  const stages: PlannedStage[] = [];
  const runsIn = (stage: StageDef) => stageEnvironments(stage, definition, values, diags);
  for (const stage of selectStages(definition, environment, options.stage, diags, runsIn)) {
    const steps = stage.steps.map((step) => {
      const read = new FieldReader(step, values, diags);
      const labels = {
        CI: 'true',
        BERTH_BUILD: buildRef,
        BERTH_STAGE: stage.name,
        BERTH_STEP: step.name,
        BERTH_STEP_TYPE: step.type,
      };
      return PLANNERS[step.type]({ read, images: options.images, labels });
    });
    stages.push({ name: stage.name, runsIf: stageRunsIf(stage, values, diags), steps });
  }
  const concurrency = planConcurrency(definition.concurrency, values, diags);
  const variables: Record<string, string> = {};
  for (const name of scope.names()) {
    const sub = subst.variable(name);
    variables[name] = sub?.text ?? '';
    const limits =
      sub?.issues.filter((issue) => issue.kind === 'too-large' || issue.kind === 'too-deep') ?? [];
    values.report(limits, scope.get(name)?.pos ?? START, name, null);
  }
  const plan: BuildPlan = {
    environment,
    inputs: inputs.values,
    secretInputs: inputs.secretInputs,
    secrets: [...new Set(inputs.secrets)],
    variables,
    stages,
    ...(concurrency ? { concurrency } : {}),
    ...(definition.rerun ? { rerun: definition.rerun } : {}),
    ...(stages.length === 0 ? { nothingRuns: whyNothingRuns(definition, environment) } : {}),
  };
  return { plan, diagnostics: strictDiagnostics(sortDiagnostics(diags.items), options.strict) };
}

function whyNothingRuns(definition: Definition, environment: string | null): string {
  if (definition.stages.length === 0) return 'the file defines no stages';
  return environment === null
    ? 'no stage runs without an environment'
    : `no stage runs with environment "${environment}"`;
}

function selectEnvironment(
  definition: Definition,
  name: string | undefined,
  diags: Diagnostics,
): string | null {
  if (name === undefined || name === '') return null;
  if (definition.environments.has(name)) return name;
  const known = [...definition.environments.keys()];
  const hint = known.length ? `defined: ${known.join(', ')}` : 'the file defines no environments';
  diags.error(
    definition.environments.values().next().value?.pos ?? START,
    'environments',
    `unknown environment "${name}" (${hint})`,
  );
  return null;
}

function environmentLayer(definition: Definition, environment: string | null): VariableLayer[] {
  const env = environment === null ? undefined : definition.environments.get(environment);
  if (!env) return [];
  return [
    {
      vars: env.vars,
      describe: (n) => `environment "${env.name}" (${env.vars.get(n)?.pos.line}:${env.vars.get(n)?.pos.col})`,
    },
  ];
}

function optionLayers(options: PlanOptions): VariableLayer[] {
  const outside = (): Trust => 'outside';
  return [
    stringLayer(options.buildVars, () => 'the build variables', forgeFactTrust),
    stringLayer(options.wharfVars, (n) => `WHARF_VAR_${n}`, outside),
    stringLayer(options.configuredVars, (n) => `the configuration (${n})`, outside),
    ...(options.varsFiles ?? []).map((vars) => stringLayer(vars, () => '.wharf-vars.yml')),
    stringLayer(options.estimatedVars, () => 'the working tree (git and the folder name)', forgeFactTrust),
  ];
}

/** Stages that run: environment filter (`runsIn`: a stage's environments, null for all), then `-s`. */
function selectStages(
  definition: Definition,
  environment: string | null,
  only: string | undefined,
  diags: Diagnostics,
  runsIn: (stage: StageDef) => string[] | null,
): StageDef[] {
  const environments = new Map(definition.stages.map((s) => [s, runsIn(s)]));
  const runs = (s: StageDef) => {
    const names = environments.get(s) ?? null;
    return names === null || (environment !== null && names.includes(environment));
  };
  if (only === undefined) return definition.stages.filter(runs);
  const stage = definition.stages.find((s) => s.name === only);
  if (!stage) {
    const known = definition.stages.map((s) => s.name).join(', ') || 'none';
    diags.error(START, '', `unknown stage "${only}" (stages: ${known})`);
    return [];
  }
  if (!runs(stage)) {
    const where = environment === null ? 'without an environment' : `in environment "${environment}"`;
    diags.error(
      stage.pos,
      stage.name,
      `stage "${only}" does not run ${where} (its environments: ${environments.get(stage)?.join(', ')})`,
    );
    return [];
  }
  return [stage];
}
