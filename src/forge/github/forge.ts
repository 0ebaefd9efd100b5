import { ForgeError } from '../../errors.ts';
import type { CommitStatus } from '../../vocab/index.ts';
import type { CommitFiles } from '../commit-files.ts';
import type { ChangeInfo, CommitInfo, Forge, ForgeUser, Permission, RepoRef } from '../types.ts';
import { call, callOrNull, type Octokit, ownerRepo } from './octokit.ts';
import type { PullRequest } from './payloads.ts';

/** Who Berth is on GitHub: comments are only ever edited when they are its own. */
export interface BotIdentity {
  appId: number;
  /** `<app-slug>[bot]`, or null when the App's slug cannot be read (`GET /app`). */
  login(): Promise<string | null>;
}

const GITHUB_STATE: Record<CommitStatus['state'], 'pending' | 'success' | 'failure' | 'error'> = {
  pending: 'pending',
  running: 'pending',
  success: 'success',
  failure: 'failure',
  error: 'error',
  cancelled: 'error',
};

/** The Forge interface on one GitHub App installation. */
export class GithubForge implements Forge {
  readonly name = 'github' as const;
  readonly #octokit: Octokit;
  readonly #bot: BotIdentity;
  readonly #files: CommitFiles | null;

  /** `files`: reads of files at a commit shared by the policy and the worker (one read per event). */
  constructor(octokit: Octokit, bot: BotIdentity, files: CommitFiles | null = null) {
    this.#octokit = octokit;
    this.#bot = bot;
    this.#files = files;
  }

  readFile(repo: RepoRef, sha: string, path: string, signal?: AbortSignal): Promise<string | null> {
    const load = () => this.#readFile(repo, sha, path, signal);
    return this.#files ? this.#files.read(repo, sha, path, load) : load();
  }

  async #readFile(repo: RepoRef, sha: string, path: string, signal?: AbortSignal): Promise<string | null> {
    const response = await callOrNull('read file', () =>
      this.#octokit.rest.repos.getContent({ ...ownerRepo(repo.repo), path, ref: sha, request: opts(signal) }),
    );
    const data = response?.data;
    if (!data || Array.isArray(data) || data.type !== 'file' || !('content' in data)) return null;
    if (data.encoding !== 'none') return Buffer.from(data.content, 'base64').toString('utf8');
    // Over 1 MB the JSON form carries no content; the raw media type serves up to 100 MB.
    const raw = await call('read file', () =>
      this.#octokit.rest.repos.getContent({
        ...ownerRepo(repo.repo),
        path,
        ref: sha,
        mediaType: { format: 'raw' },
        request: opts(signal),
      }),
    );
    if (typeof raw.data !== 'string')
      throw new ForgeError(`GitHub read file failed: no raw content for ${path}`, null);
    return raw.data;
  }

  async setStatus(repo: RepoRef, sha: string, status: CommitStatus, signal?: AbortSignal): Promise<void> {
    await call('set status', () =>
      this.#octokit.rest.repos.createCommitStatus({
        ...ownerRepo(repo.repo),
        sha,
        state: GITHUB_STATE[status.state],
        context: status.context,
        description: [...status.description].slice(0, 140).join(''),
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
        request: opts(signal),
      }),
    );
  }

  async upsertComment(
    repo: RepoRef,
    change: number,
    comment: { marker: string; body: string },
    signal?: AbortSignal,
  ) {
    const where = { ...ownerRepo(repo.repo), request: opts(signal) };
    const login = await this.#bot.login();
    const comments = await call('list comments', () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
        ...where,
        issue_number: change,
        per_page: 100,
      }),
    );
    const mine = (c: (typeof comments)[number]) =>
      c.performed_via_github_app?.id === this.#bot.appId ||
      (login ? c.user?.login === login : c.user?.type === 'Bot');
    const own = comments.find((c) => mine(c) && (c.body ?? '').includes(comment.marker));
    if (own) {
      await call('edit comment', () =>
        this.#octokit.rest.issues.updateComment({ ...where, comment_id: own.id, body: comment.body }),
      );
    } else {
      await call('create comment', () =>
        this.#octokit.rest.issues.createComment({ ...where, issue_number: change, body: comment.body }),
      );
    }
  }

  async permissionOf(repo: RepoRef, user: ForgeUser, signal?: AbortSignal): Promise<Permission> {
    const response = await callOrNull('read permission', () =>
      this.#octokit.rest.repos.getCollaboratorPermissionLevel({
        ...ownerRepo(repo.repo),
        username: user.login,
        request: opts(signal),
      }),
    );
    const data = response?.data;
    if (!data) return 'none';
    if (data.permission === 'admin') return 'admin';
    if (data.permission === 'write' || data.role_name === 'maintain' || data.role_name === 'write')
      return 'write';
    return data.permission === 'read' ? 'read' : 'none';
  }

  async getChange(repo: RepoRef, change: number, signal?: AbortSignal): Promise<ChangeInfo | null> {
    const response = await callOrNull('read pull request', () =>
      this.#octokit.rest.pulls.get({ ...ownerRepo(repo.repo), pull_number: change, request: opts(signal) }),
    );
    return response ? changeInfo(response.data as PullRequest) : null;
  }

  async openChangesAt(repo: RepoRef, sha: string, signal?: AbortSignal): Promise<ChangeInfo[]> {
    const response = await call('list pull requests of a commit', () =>
      this.#octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        ...ownerRepo(repo.repo),
        commit_sha: sha,
        request: opts(signal),
      }),
    );
    return (response.data as PullRequest[])
      .map(changeInfo)
      .filter((c) => c.state === 'open' && c.sha === sha && c.fork === null);
  }

  async getCommit(repo: RepoRef, sha: string, signal?: AbortSignal): Promise<CommitInfo | null> {
    const response = await callOrNull('read commit', () =>
      this.#octokit.rest.git.getCommit({ ...ownerRepo(repo.repo), commit_sha: sha, request: opts(signal) }),
    );
    if (!response) return null;
    const { message, author, committer } = response.data;
    return {
      message,
      ...(author?.date ? { authorDate: author.date } : {}),
      ...(committer?.date ? { committerDate: committer.date } : {}),
    };
  }
}

const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

function changeInfo(pr: PullRequest): ChangeInfo {
  const head = pr.head.repo?.full_name ?? null;
  return {
    change: pr.number,
    sha: pr.head.sha,
    ref: pr.head.ref,
    state: pr.state === 'open' ? 'open' : 'closed',
    fork: head === pr.base.repo.full_name ? null : { forge: 'github', repo: head ?? '(deleted fork)' },
    author: pr.user?.login ?? '',
  };
}
