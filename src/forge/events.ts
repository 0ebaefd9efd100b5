import type { RepoRef } from './types.ts';

/**
 * A webhook delivery in Berth's neutral vocabulary. Each forge's ingress maps its
 * payloads onto these; the forge-neutral policy (src/forge/policy/) decides what
 * happens (build, cancel, hold for approval, reply, ignore).
 */
export type ForgeEvent = PushEvent | ChangeEvent | CommentEvent | RerunEvent | MergeGroupEvent;

interface EventBase {
  repo: RepoRef;
  /** Delivery id for dedupe (GitHub `X-GitHub-Delivery`, GitLab `Idempotency-Key` or body hash). */
  deliveryId: string;
  /** Login of who caused the event. */
  actor: string;
  /** The forge's numeric id of `actor`, when the payload carries it (GitLab `user.id`, `user_id`). */
  actorId?: number;
}

export interface PushEvent extends EventBase {
  kind: 'push';
  ref: string;
  refType: 'branch' | 'tag';
  /** Null when the branch/tag was deleted. */
  sha: string | null;
  commit: { message: string; authorDate?: string; committerDate?: string } | null;
}

export interface ChangeEvent extends EventBase {
  kind: 'change';
  action: 'opened' | 'updated' | 'reopened' | 'closed';
  /** PR / MR number (GitLab: iid). */
  change: number;
  sha: string;
  /** Source branch. */
  ref: string;
  /** Source repository when it is a fork; null for same-repo changes. */
  fork: RepoRef | null;
  /** Author of the PR/MR. */
  author: string;
  /** The forge's numeric id of `author`, when the payload carries it (GitLab `object_attributes.author_id`). */
  authorId?: number;
  commit: { message: string } | null;
}

export interface CommentEvent extends EventBase {
  kind: 'comment';
  change: number;
  body: string;
  /** True when the comment was written by a bot (Berth itself included). */
  fromBot: boolean;
  changeState: 'open' | 'closed';
  /**
   * Head sha when the payload carries it (GitLab: the head as the comment was written);
   * else the policy asks the forge.
   */
  sha: string | null;
  /** When the comment was written (ISO 8601), when the payload says. */
  writtenAt: string | null;
  /** Comment id (so replies can reference it). */
  commentId: string;
}

/** GitHub `check_run.rerequested` / `check_suite.rerequested`. */
export interface RerunEvent extends EventBase {
  kind: 'rerun';
  sha: string;
  ref: string | null;
  /** PR numbers the check belongs to; empty for forks (map sha → PR via the API). */
  changes: number[];
  /** Only builds whose status context is this (a check run names one build); null = all failed. */
  context: string | null;
}

/**
 * GitHub merge queue: `merge_group.checks_requested` asks for the queue's head commit to
 * be built (`requested`); `merge_group.destroyed` says it left the queue (merged,
 * invalidated or dequeued) and its build is no longer wanted.
 */
export interface MergeGroupEvent extends EventBase {
  kind: 'merge-group';
  action: 'requested' | 'destroyed';
  /** The queue's head sha (a commit in the base repository). */
  sha: string;
  /** `gh-readonly-queue/<base>/pr-<n>-<sha>`, without `refs/heads/`. */
  ref: string;
  /** Why it was destroyed (`merged`, `invalidated`, `dequeued`), when it was. */
  reason: string | null;
  commit: { message: string; committerDate?: string } | null;
}
