import type { BuildRecord, BuildRequest } from '../builds/types.ts';
import { type ReusedSteps, reusableSteps, reuseKey } from '../engine/reuse.ts';
import type { BuildPlan } from '../pipeline/types.ts';

/**
 * The steps a `/retest` does not run again: those that succeeded in `earlier` when it
 * built the same commit of the same repository with the same variables (inputs and
 * environment), unless the pipeline says `rerun: all`. Null: run everything.
 */
export function stepsToReuse(
  request: BuildRequest,
  earlier: BuildRecord | null | undefined,
  plan: BuildPlan,
  sha: string,
): ReusedSteps | null {
  if (!earlier || plan.rerun === 'all') return null;
  const same =
    earlier.sha === sha &&
    earlier.request.forge === request.forge &&
    earlier.request.repo === request.repo &&
    (earlier.request.environment ?? null) === (request.environment ?? null) &&
    !earlier.request.secretInputs?.length &&
    !request.secretInputs?.length &&
    sameInputs(earlier.request.inputs, request.inputs);
  if (!same || earlier.status === 'queued' || earlier.status === 'running') return null;
  const planned = new Set(plan.stages.flatMap((stage) => stage.steps.map(reuseKey)));
  const reused = new Map([...reusableSteps(earlier.id, earlier.stages)].filter(([key]) => planned.has(key)));
  return reused.size > 0 ? reused : null;
}

function sameInputs(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
