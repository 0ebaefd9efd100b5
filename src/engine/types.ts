import type { FinalStatus, ReasonClass } from '../vocab/index.ts';

export interface StepResult {
  stage: string;
  name: string;
  /** `reused`: not run; it succeeded at the same sha in the build `reusedFrom` (a `/retest`). */
  status: FinalStatus | 'reused';
  exitCode: number | null;
  reason: ReasonClass | null;
  message: string | null;
  /** ISO 8601, null when it never started. */
  startedAt: string | null;
  finishedAt: string | null;
  /** The build that ran a `reused` step. */
  reusedFrom?: string;
}

export interface StageResult {
  name: string;
  status: FinalStatus;
  startedAt: string | null;
  finishedAt: string | null;
  steps: StepResult[];
}

export interface BuildResult {
  status: Exclude<FinalStatus, 'skipped'>;
  reason: ReasonClass | null;
  message: string | null;
  startedAt: string;
  finishedAt: string;
  stages: StageResult[];
}

export type BuildEvent =
  | { type: 'build-started'; at: string }
  | { type: 'stage-started'; stage: string; index: number; total: number; at: string }
  | { type: 'step-started'; stage: string; step: string; at: string }
  | { type: 'step-finished'; result: StepResult }
  | { type: 'stage-finished'; result: StageResult }
  | { type: 'build-finished'; result: BuildResult };

export interface Timeouts {
  /** Per step, ms (default 60 min). */
  stepMs: number;
  /** Whole build, ms (default 120 min). */
  buildMs: number;
  /** Time cleanup may take after the build ended or was cancelled, ms. */
  cleanupMs: number;
}
