import type { PlannedStep, StepType } from '../types.ts';
import type { StepContext } from './base.ts';
import { planContainer } from './container.ts';
import { planDocker } from './docker.ts';
import { planHelm } from './helm.ts';
import { planHelmPackage } from './helm-package.ts';
import { planKubectl } from './kubectl.ts';
import { planNugetPackage } from './nuget-package.ts';

/** One planner per step type. */
export const PLANNERS: Readonly<Record<StepType, (ctx: StepContext) => PlannedStep>> = {
  container: planContainer,
  docker: planDocker,
  helm: planHelm,
  'helm-package': planHelmPackage,
  kubectl: planKubectl,
  'nuget-package': planNugetPackage,
};
