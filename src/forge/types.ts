import type { BuildRecord, BuildRequest } from '../builds/types.ts';
import type { CommitStatus, ForgeName } from '../vocab/index.ts';

export type Permission = 'admin' | 'write' | 'read' | 'none';

/** A repository on a forge. */
export interface RepoRef {
  forge: ForgeName;
  /** `owner/name` or `group/project`. */
  repo: string;
  /** GitLab project id. */
  projectId?: number;
  /** GitHub App installation id. */
  installationId?: number;
}

/**
 * One forge installation / project. Every method maps Berth's neutral vocabulary
 * onto the forge's API; failures throw ForgeError (see src/errors.ts).
 */
/** A forge user: the login, and the numeric id when the event carried it (GitLab hooks do). */
export interface ForgeUser {
  login: string;
  id?: number;
}

export interface Forge {
  readonly name: ForgeName;
  /** File text at the sha, or null when it does not exist. */
  readFile(repo: RepoRef, sha: string, path: string, signal?: AbortSignal): Promise<string | null>;
  /** Idempotent. */
  setStatus(repo: RepoRef, sha: string, status: CommitStatus, signal?: AbortSignal): Promise<void>;
  /** Creates or edits the bot's own comment carrying `marker` on the PR/MR. */
  upsertComment(
    repo: RepoRef,
    change: number,
    comment: { marker: string; body: string },
    signal?: AbortSignal,
  ): Promise<void>;
  /** The user's permission on the repository (GitLab: by `id` when the hook gave one, no user lookup). */
  permissionOf(repo: RepoRef, user: ForgeUser, signal?: AbortSignal): Promise<Permission>;
  /** The PR/MR as it is now (head sha, state, fork); null when it does not exist. */
  getChange?(repo: RepoRef, change: number, signal?: AbortSignal): Promise<ChangeInfo | null>;
  /** Open PRs/MRs of `repo` itself (not forks) whose head is `sha`. */
  openChangesAt?(repo: RepoRef, sha: string, signal?: AbortSignal): Promise<ChangeInfo[]>;
  /** Message and dates of a commit; null when it does not exist. */
  getCommit?(repo: RepoRef, sha: string, signal?: AbortSignal): Promise<CommitInfo | null>;
}

/** A PR/MR as the forge reports it now. */
export interface ChangeInfo {
  change: number;
  sha: string;
  /** Source branch. */
  ref: string;
  state: 'open' | 'closed';
  /** Source repository when it is a fork; null for same-repo changes. */
  fork: RepoRef | null;
  author: string;
}

/** What the forge knows about one commit. */
export interface CommitInfo {
  message: string;
  authorDate?: string;
  committerDate?: string;
}

/** Puts the files of a commit into a folder on the worker's disk. */
export interface SourceProvider {
  /** Extracts the tree of `request` at its sha into `dir` (empty, existing); returns the sha used. */
  fetch(request: BuildRequest, dir: string, signal: AbortSignal): Promise<{ sha: string }>;
}

/** Build variables a forge knows about a request (GIT_COMMIT, GIT_BRANCH, REPO_GROUP, …). */
export type BuildVariables = Record<string, string>;

/** Where a report goes: the repository (and, for a PR/MR from a fork, its source). */
export type ReportTarget = Pick<
  BuildRequest,
  'forge' | 'repo' | 'projectId' | 'installationId' | 'change' | 'headRepo'
>;

/** A commit status no build owns: the policy held the commit, it asked to be skipped, or has no pipeline. */
export interface CommitNotice {
  target: ReportTarget;
  sha: string;
  /** Branch the sha is on (GitLab needs it for shas on no other branch). */
  ref: string;
  kind: 'waiting' | 'skipped' | 'no-pipeline';
  /**
   * When the delivery that decided it was accepted (ISO 8601): a build requested after
   * that is newer and keeps its status; the notice replaces only older ones.
   */
  at: string;
}

/**
 * The one gate for commit statuses, check runs and the summary comment: every write
 * is decided under a Redis lock per status context / check run / comment, and only
 * when it is newer than what the forge shows (src/forge/reporter.ts).
 */
export interface BuildReporter {
  /** Called by the worker whenever a build record changes; writes only what changed. */
  report(record: BuildRecord, signal?: AbortSignal): Promise<void>;
  /** Writes a status no build owns, through the same lock and "is this newer" check. Throws ForgeError. */
  notice(notice: CommitNotice, signal?: AbortSignal): Promise<void>;
}

/**
 * Everything the worker needs from one forge to run and report a build.
 * The worker picks the adapter by `request.forge`.
 */
export interface ForgeAdapter {
  readonly name: ForgeName;
  /** The pipeline file (or any file) at the request's sha; null when absent. */
  readFile(request: BuildRequest, path: string, signal: AbortSignal): Promise<string | null>;
  source: SourceProvider;
  /** GIT_COMMIT, GIT_BRANCH, REPO_GROUP, REPO_NAME, PROJECT_ID, … from the event and the API. */
  variables(request: BuildRequest, sha: string, signal: AbortSignal): Promise<BuildVariables>;
  /**
   * Variables guessed rather than known (the local forge's REPO_GROUP/REPO_NAME from the
   * folder): the lowest layer, below WHARF_VAR_* and .wharf-vars.yml, as for `berth run`.
   */
  estimatedVariables?(request: BuildRequest): BuildVariables;
  reporter: BuildReporter;
}
