import type { StepType } from '../types.ts';

/** The fields each step type knows; anything else is ignored with a warning. */
export const STEP_FIELDS: Readonly<Record<StepType, readonly string[]>> = {
  container: ['image', 'cmds', 'os', 'shell', 'secretName', 'serviceAccount', 'certificatesMountPath'],
  docker: [
    'file',
    'tag',
    'destination',
    'name',
    'group',
    'registry',
    'context',
    'secret',
    'append-cert',
    'push',
    'args',
    'secretName',
    'secretArgs',
  ],
  helm: [
    'chart',
    'name',
    'namespace',
    'repo',
    'set',
    'files',
    'chartVersion',
    'helmVersion',
    'cluster',
    'secret',
  ],
  'helm-package': ['version', 'chart-path', 'destination', 'secret'],
  kubectl: ['file', 'files', 'namespace', 'action', 'force', 'cluster'],
  'nuget-package': ['version', 'project-path', 'repo', 'skip-duplicate', 'certificatesMountPath'],
};

/** Step types in the order the docs list them. */
export const STEP_TYPES = Object.keys(STEP_FIELDS) as StepType[];
