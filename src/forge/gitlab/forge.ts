import { ForgeError } from '../../errors.ts';
import { GITLAB_NOTE_MAX } from '../../report/summary.ts';
import type { CommitStatus } from '../../vocab/index.ts';
import type { CommitFiles } from '../commit-files.ts';
import type { ChangeInfo, CommitInfo, Forge, ForgeUser, Permission, RepoRef } from '../types.ts';
import { getCommit, getMergeRequest, openMergeRequestsAt } from './changes.ts';
import { callGitlab, type GitlabApi, gitlabMessageOf } from './client.ts';
import { projectOf } from './project.ts';

const DESCRIPTION_LIMIT = 255;

type GitlabState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

const STATES: Record<CommitStatus['state'], GitlabState> = {
  pending: 'pending',
  running: 'running',
  success: 'success',
  failure: 'failed',
  error: 'failed',
  cancelled: 'canceled',
};

/**
 * Berth's `Forge` on one GitLab (gitlab.com or self-managed) through gitbeaker:
 * repository files, commit statuses, the bot's own MR note, project membership.
 */
export class GitlabForge implements Forge {
  readonly name = 'gitlab' as const;
  private readonly api: GitlabApi;
  private readonly files: CommitFiles | null;
  private botUser: Promise<{ id: number; username: string }> | null = null;

  /** `files`: reads of files at a commit shared by the policy and the worker (one read per event). */
  constructor(api: GitlabApi, files: CommitFiles | null = null) {
    this.api = api;
    this.files = files;
  }

  /** The user the token belongs to (cached; a failed lookup is retried next time). */
  bot(signal?: AbortSignal): Promise<{ id: number; username: string }> {
    this.botUser ??= callGitlab('current user', () => this.api.Users.showCurrentUser(), signal).then(
      (user) => ({ id: user.id, username: user.username }),
      (error: unknown) => {
        this.botUser = null;
        throw error;
      },
    );
    return this.botUser;
  }

  readFile(repo: RepoRef, sha: string, path: string, signal?: AbortSignal): Promise<string | null> {
    const load = () => this.readFileOnce(repo, sha, path, signal);
    return this.files ? this.files.read(repo, sha, path, load) : load();
  }

  private async readFileOnce(
    repo: RepoRef,
    sha: string,
    path: string,
    signal?: AbortSignal,
  ): Promise<string | null> {
    try {
      const raw = await callGitlab(
        `file ${path}@${sha}`,
        () => this.api.RepositoryFiles.showRaw(projectOf(repo), path, sha),
        signal,
      );
      return typeof raw === 'string' ? raw : await (raw as Blob).text();
    } catch (error) {
      if (error instanceof ForgeError && error.status === 404) return null;
      throw error;
    }
  }

  /** Posts the status; "Cannot transition status" (it already has that state) counts as done. */
  async setStatus(repo: RepoRef, sha: string, status: CommitStatus, signal?: AbortSignal): Promise<void> {
    const options = {
      name: status.context,
      description: status.description.slice(0, DESCRIPTION_LIMIT),
      ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
      ...(status.ref ? { ref: status.ref } : {}),
    };
    try {
      await callGitlab(
        `status ${status.context}@${sha}`,
        () => this.api.Commits.editStatus(projectOf(repo), sha, STATES[status.state], options),
        signal,
      );
    } catch (error) {
      if (isAlreadyInState(error)) return;
      throw error;
    }
  }

  async upsertComment(
    repo: RepoRef,
    change: number,
    comment: { marker: string; body: string },
    signal?: AbortSignal,
  ): Promise<void> {
    const body = fitNote(comment.marker, comment.body);
    const bot = await this.bot(signal);
    const notes = await callGitlab(
      `notes of !${change}`,
      () => this.api.MergeRequestNotes.all(projectOf(repo), change, { sort: 'asc', perPage: 100 }),
      signal,
    );
    const own = notes.find((n) => n.author?.id === bot.id && !n.system && n.body.includes(comment.marker));
    if (own) {
      await callGitlab(
        `edit note on !${change}`,
        () => this.api.MergeRequestNotes.edit(projectOf(repo), change, own.id, { body }),
        signal,
      );
    } else {
      await callGitlab(
        `note on !${change}`,
        () => this.api.MergeRequestNotes.create(projectOf(repo), change, body),
        signal,
      );
    }
  }

  getChange(repo: RepoRef, change: number, signal?: AbortSignal): Promise<ChangeInfo | null> {
    return getMergeRequest(this.api, repo, change, signal);
  }

  openChangesAt(repo: RepoRef, sha: string, signal?: AbortSignal): Promise<ChangeInfo[]> {
    return openMergeRequestsAt(this.api, repo, sha, signal);
  }

  getCommit(repo: RepoRef, sha: string, signal?: AbortSignal): Promise<CommitInfo | null> {
    return getCommit(this.api, repo, sha, signal);
  }

  /**
   * Project membership, inherited included: Maintainer+ → admin, Developer → write, lower →
   * read. By the id the hook carried; only a user known by login alone is looked up first.
   */
  async permissionOf(repo: RepoRef, user: ForgeUser, signal?: AbortSignal): Promise<Permission> {
    const id = user.id ?? (await this.userIdOf(user.login, signal));
    if (id === undefined) return 'none';
    try {
      const member = await callGitlab(
        `membership of ${user.login}`,
        () => this.api.ProjectMembers.show(projectOf(repo), id, { includeInherited: true }),
        signal,
      );
      return permissionFor(member.access_level);
    } catch (error) {
      if (error instanceof ForgeError && error.status === 404) return 'none';
      throw error;
    }
  }

  private async userIdOf(login: string, signal?: AbortSignal): Promise<number | undefined> {
    const found = await callGitlab(`user ${login}`, () => this.api.Users.all({ username: login }), signal);
    return found.find((u) => u.username.toLowerCase() === login.toLowerCase())?.id;
  }
}

/** GitLab access level → Berth permission. */
export function permissionFor(accessLevel: number): Permission {
  if (accessLevel >= 40) return 'admin';
  if (accessLevel >= 30) return 'write';
  return accessLevel > 0 ? 'read' : 'none';
}

function isAlreadyInState(error: unknown): boolean {
  return (
    error instanceof ForgeError &&
    error.status === 400 &&
    /cannot transition status/i.test(gitlabMessageOf(error.cause))
  );
}

/** Keeps the marker and cuts the body to GitLab's note limit. */
export function fitNote(marker: string, body: string): string {
  const marked = body.includes(marker) ? body : `${marker}\n${body}`;
  if (marked.length <= GITLAB_NOTE_MAX) return marked;
  const tail = '\n\n… (truncated: the full log is on the build page)';
  const cut = marked.slice(0, GITLAB_NOTE_MAX - tail.length - marker.length - 1);
  return `${cut.includes(marker) ? '' : `${marker}\n`}${cut}${tail}`;
}
