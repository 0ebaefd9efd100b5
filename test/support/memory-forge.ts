import type { ChangeInfo, CommitInfo, Forge, ForgeUser, Permission, RepoRef } from '../../src/forge/types.ts';
import type { CommitStatus } from '../../src/vocab/index.ts';

/** An in-memory Forge (our own interface) recording what the policy and reporter wrote. */
export class MemoryForge implements Forge {
  readonly name = 'github' as const;
  readonly statuses: Array<{ sha: string } & CommitStatus> = [];
  readonly comments = new Map<string, { change: number; body: string; edits: number }>();
  readonly permissions = new Map<string, Permission>();
  readonly changes = new Map<number, ChangeInfo>();
  readonly commits = new Map<string, CommitInfo>();
  readonly files = new Map<string, string>();
  permissionCalls = 0;

  /** Shas without a `.wharf-ci.yml` (every other sha has a minimal one). */
  readonly withoutPipeline = new Set<string>();

  async readFile(_repo: RepoRef, sha: string, path: string) {
    if (path === '.wharf-ci.yml' && !this.withoutPipeline.has(sha))
      return this.files.get(`${sha}:${path}`) ?? 'build: {}\n';
    return this.files.get(`${sha}:${path}`) ?? null;
  }
  async setStatus(_repo: RepoRef, sha: string, status: CommitStatus) {
    this.statuses.push({ sha, ...status });
  }
  async upsertComment(_repo: RepoRef, change: number, comment: { marker: string; body: string }) {
    const key = `${change}:${comment.marker}`;
    const had = this.comments.get(key);
    this.comments.set(key, { change, body: comment.body, edits: had ? had.edits + 1 : 0 });
  }
  async permissionOf(_repo: RepoRef, user: ForgeUser) {
    this.permissionCalls += 1;
    return this.permissions.get(user.login) ?? 'none';
  }
  async getChange(_repo: RepoRef, change: number) {
    return this.changes.get(change) ?? null;
  }
  async openChangesAt(_repo: RepoRef, sha: string) {
    return [...this.changes.values()].filter((c) => c.sha === sha && c.state === 'open' && !c.fork);
  }
  async getCommit(_repo: RepoRef, sha: string) {
    return this.commits.get(sha) ?? null;
  }
}
