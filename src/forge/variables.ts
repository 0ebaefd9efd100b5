import type { BuildRequest } from '../builds/types.ts';
import type { BuildVariables, CommitInfo } from './types.ts';

/**
 * The build variables a forge build gets (GIT_COMMIT, GIT_BRANCH, REPO_GROUP, …), from
 * the request and the forge's commit data, never from a `.git` folder.
 */
export function buildVariables(
  request: BuildRequest,
  sha: string,
  commit: CommitInfo | null,
): BuildVariables {
  const slash = request.repo.lastIndexOf('/');
  const branch = request.refType === 'branch' ? request.ref : '';
  const subject = request.commit?.subject ?? commit?.message.split('\n', 1)[0];
  const authorDate = request.commit?.authorDate ?? commit?.authorDate;
  const committerDate = request.commit?.committerDate ?? commit?.committerDate;
  return {
    GIT_COMMIT: sha,
    GIT_BRANCH: branch,
    REPO_BRANCH: branch,
    GIT_SAFEBRANCH: branch.replace(/\//g, '-'),
    GIT_TAG: request.refType === 'tag' ? request.ref : '',
    REPO_GROUP: slash > 0 ? request.repo.slice(0, slash) : '',
    REPO_NAME: request.repo.slice(slash + 1),
    ...(request.projectId === undefined ? {} : { PROJECT_ID: String(request.projectId) }),
    ...(subject === undefined ? {} : { GIT_COMMIT_SUBJECT: subject }),
    ...(authorDate ? { GIT_COMMIT_AUTHOR_DATE: authorDate } : {}),
    ...(committerDate ? { GIT_COMMIT_COMMITTER_DATE: committerDate } : {}),
  };
}
