import type { BuildState, ReasonClass, StepStatus } from '../vocab/index.ts';
import type { BuildRequest } from './request.ts';

export type { BuildRequest } from './request.ts';

export interface StepRecord {
  name: string;
  status: StepStatus;
  exitCode: number | null;
  reason: ReasonClass | null;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The build that ran a `reused` step (it succeeded there, at the same sha). */
  reusedFrom?: string;
}

export interface StageRecord {
  name: string;
  status: StepStatus;
  steps: StepRecord[];
}

/** A build as stored and served (`GET /api/builds/:id`). */
export interface BuildRecord {
  id: string;
  /** Per-repository counter (`BUILD_REF`). */
  buildRef: number;
  request: BuildRequest;
  /** `github:owner/name`, `gitlab:group/project`, `local:/abs/path`. */
  source: string;
  status: BuildState;
  reason: ReasonClass | null;
  message: string | null;
  /** The status context on the forge: `berth` or `berth/<environment>`. */
  context: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  stages: StageRecord[];
  /** Resolved sha (requests without a sha get one when the worker reads the source). */
  sha: string | null;
  /**
   * Names of `password` inputs, known once the worker has planned the build: masked on
   * pages, in the API, statuses and comments. Absent: not known yet, every input is masked.
   */
  secretInputs?: string[];
  /** While queued for slots: the cap it waits on (its concurrency group, the repository's or the owner's share) and how many wait before it. */
  waiting?: { cap: 'group' | 'repository' | 'owner'; ahead: number; group?: string };
}
