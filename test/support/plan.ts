import type { BuildPlan, PlannedStage, PlannedStep, RunsIf } from '../../src/pipeline/types.ts';

/** A container step running `script` with /bin/sh, as the planner would make it. */
export function shellStep(
  stage: string,
  name: string,
  script: string,
  extra: Partial<PlannedStep> = {},
): PlannedStep {
  return {
    stage,
    name,
    type: 'container',
    image: 'alpine:3.20',
    command: ['/bin/sh', '-c', script],
    repoDir: '/mnt/repo',
    workingDir: '/mnt/repo',
    env: {},
    secretEnv: [],
    envFromSecrets: [],
    mounts: [],
    serviceAccount: null,
    source: { kind: 'repo' },
    tools: [],
    os: 'linux',
    ...extra,
  };
}

/** A stage of shell steps: name → script. */
export function stage(
  name: string,
  scripts: Record<string, string>,
  runsIf: RunsIf = 'success',
): PlannedStage {
  return {
    name,
    runsIf,
    steps: Object.entries(scripts).map(([step, script]) => shellStep(name, step, script)),
  };
}

export function plan(stages: PlannedStage[], extra: Partial<BuildPlan> = {}): BuildPlan {
  return { environment: null, inputs: {}, secretInputs: [], secrets: [], variables: {}, stages, ...extra };
}
