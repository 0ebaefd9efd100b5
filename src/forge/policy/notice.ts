import type { CommitNotice, RepoRef } from '../types.ts';
import type { PolicyDeps } from './deps.ts';

/** The commit a notice is for: on a PR/MR, the change and its fork (statuses of forks go to the source). */
export interface NoticePlace {
  repo: RepoRef;
  sha: string;
  ref: string;
  change?: number;
  fork?: RepoRef | null;
}

/**
 * Shows a notice on the commit through the reporter (the one gate for statuses), as of
 * the delivery's acceptance: a build requested since then keeps its status.
 */
export function notify(deps: PolicyDeps, kind: CommitNotice['kind'], place: NoticePlace): Promise<void> {
  const { repo } = place;
  return deps.reporter.notice({
    target: {
      forge: repo.forge,
      repo: repo.repo,
      ...(repo.projectId === undefined ? {} : { projectId: repo.projectId }),
      ...(repo.installationId === undefined ? {} : { installationId: repo.installationId }),
      ...(place.change === undefined ? {} : { change: place.change }),
      ...(place.fork ? { headRepo: place.fork.repo } : {}),
    },
    sha: place.sha,
    ref: place.ref,
    kind,
    at: deps.receivedAt ?? new Date().toISOString(),
  });
}
