import type { BuildResult, FinalStatus, ReasonClass, StepStatus } from '../engine/types.ts';
import type { ForgeName } from '../forge/types.ts';

export type BuildState = 'queued' | 'running' | 'success' | 'failed' | 'error' | 'cancelled';

/** What made a build: the neutral vocabulary every forge maps its events to. */
export type TriggerKind =
  | 'push'
  | 'tag'
  | 'change' // pull request / merge request opened, reopened or new commits
  | 'retest'
  | 'test'
  | 'ok-to-test'
  | 'rerequested' // GitHub "Re-run" button
  | 'manual'; // POST /api/builds, berth run

/**
 * A request for one build, as queued. Validated on enqueue and again in the worker
 * (see `buildRequestSchema` in `src/builds/request.ts`).
 */
export interface BuildRequest {
  forge: ForgeName;
  /** `owner/name` (GitHub), `group/sub/project` (GitLab), absolute path (local). */
  repo: string;
  /** Forge-specific numeric id: GitLab project id; absent elsewhere. */
  projectId?: number;
  /** GitHub App installation id. */
  installationId?: number;
  /** Full commit sha; for `local` it may be absent (the working tree as it is). */
  sha?: string;
  /** Branch or tag name without `refs/heads/` (`refs/tags/` kept out too; see `refType`). */
  ref: string;
  refType: 'branch' | 'tag';
  trigger: TriggerKind;
  /** PR / MR number when the build is for one. */
  change?: number;
  /** PR/MR source repo when it differs from `repo` (forks). */
  headRepo?: string;
  environment?: string;
  inputs: Record<string, string>;
  /**
   * Names of password inputs whose values must never be stored in the build record:
   * the record keeps only the names; the values travel in the queue job alone.
   */
  secretInputs?: string[];
  /** Who caused it (forge login), when known. */
  actor?: string;
  /** Webhook delivery id (GitHub `X-GitHub-Delivery`, GitLab `Idempotency-Key`). */
  deliveryId?: string;
  /** Explicit reruns never join an existing queued/running build. */
  rerun: boolean;
  /** Head commit subject and dates when the event carries them (build variables). */
  commit?: { subject?: string; authorDate?: string; committerDate?: string };
}

export interface StepRecord {
  name: string;
  status: StepStatus;
  exitCode: number | null;
  reason: ReasonClass | null;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
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

export type { BuildResult, FinalStatus };
