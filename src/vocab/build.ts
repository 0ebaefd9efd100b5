/** Where a build is in its life; the last four are final. */
export const buildStates = ['queued', 'running', 'success', 'failed', 'error', 'cancelled'] as const;
export type BuildState = (typeof buildStates)[number];

/** What made a build: the neutral vocabulary every forge maps its events to. */
export const triggerKinds = [
  'push',
  'tag',
  'change', // pull request / merge request opened, reopened or new commits
  'retest',
  'test',
  'ok-to-test',
  'rerequested', // GitHub "Re-run" button
  'merge-group', // GitHub merge queue: merge_group.checks_requested
  'manual', // POST /api/builds, berth run
] as const;
export type TriggerKind = (typeof triggerKinds)[number];

export const refTypes = ['branch', 'tag'] as const;
export type RefType = (typeof refTypes)[number];

/** `reused`: not run by a `/retest`; it succeeded at the same sha in an earlier build. */
export type StepStatus =
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'error'
  | 'cancelled'
  | 'skipped'
  | 'reused';

/** Final states a step, stage or build can end in. */
export type FinalStatus = 'success' | 'failed' | 'error' | 'cancelled' | 'skipped';

/** Why something did not succeed. `user` = the step's own command failed. */
export type ReasonClass =
  | 'user'
  | 'config'
  | 'image'
  | 'scheduling'
  | 'infrastructure'
  | 'timeout'
  | 'cancelled';
