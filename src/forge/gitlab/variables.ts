import type { BuildRequest } from '../../builds/types.ts';
import type { BuildVariables, CommitInfo } from '../types.ts';

/**
 * The build variables of a GitLab build: GIT_*, REPO_GROUP (the namespace path),
 * REPO_NAME and PROJECT_ID (the GitLab project id). `commit` fills the commit fields
 * the request does not carry.
 */
export function gitlabVariables(
  request: BuildRequest,
  sha: string,
  commit: CommitInfo | null,
): BuildVariables {
  const slash = request.repo.lastIndexOf('/');
  const subject = request.commit?.subject ?? commit?.message.split('\n', 1)[0];
  const authorDate = request.commit?.authorDate ?? commit?.authorDate;
  const committerDate = request.commit?.committerDate ?? commit?.committerDate;
  return {
    GIT_COMMIT: sha,
    GIT_BRANCH: request.ref,
    REPO_BRANCH: request.ref,
    GIT_SAFEBRANCH: request.ref.replaceAll('/', '-'),
    GIT_TAG: request.refType === 'tag' ? request.ref : '',
    REPO_GROUP: slash > 0 ? request.repo.slice(0, slash) : '',
    REPO_NAME: request.repo.slice(slash + 1),
    PROJECT_ID: request.projectId === undefined ? '' : String(request.projectId),
    ...(subject === undefined ? {} : { GIT_COMMIT_SUBJECT: subject }),
    ...(authorDate ? { GIT_COMMIT_AUTHOR_DATE: authorDate } : {}),
    ...(committerDate ? { GIT_COMMIT_COMMITTER_DATE: committerDate } : {}),
  };
}
