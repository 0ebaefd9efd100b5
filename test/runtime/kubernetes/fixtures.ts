import type { PlannedStep } from '../../../src/pipeline/types.ts';
import { shellStep } from '../../support/plan.ts';

/** A container step running `script` with sh, overridable field by field. */
export function step(overrides: Partial<PlannedStep> & { script?: string } = {}): PlannedStep {
  const { script = 'echo hello', ...rest } = overrides;
  return shellStep(rest.stage ?? 'build', rest.name ?? 'compile', script, { image: 'alpine:3', ...rest });
}
