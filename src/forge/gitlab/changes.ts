import { ForgeError } from '../../errors.ts';
import type { ChangeInfo, CommitInfo, RepoRef } from '../types.ts';
import { callGitlab, type GitlabApi } from './client.ts';
import { projectOf } from './project.ts';

/** The fields of a GitLab merge request Berth reads. */
interface MergeRequestFields {
  iid: number;
  sha: string;
  state: string;
  source_branch: string;
  source_project_id: number;
  target_project_id: number;
  author?: { username?: string } | null;
}

/** A merge request as it is now; null when it does not exist. */
export async function getMergeRequest(
  api: GitlabApi,
  repo: RepoRef,
  iid: number,
  signal?: AbortSignal,
): Promise<ChangeInfo | null> {
  const mr = await orNull(
    callGitlab(`merge request !${iid}`, () => api.MergeRequests.show(projectOf(repo), iid), signal),
  );
  if (!mr) return null;
  const fields = mr as unknown as MergeRequestFields;
  const fork =
    fields.source_project_id === fields.target_project_id ? null : await forkOf(api, fields, signal);
  return changeInfo(fields, fork);
}

/** Open merge requests of the project itself (not forks) whose head is `sha`. */
export async function openMergeRequestsAt(
  api: GitlabApi,
  repo: RepoRef,
  sha: string,
  signal?: AbortSignal,
): Promise<ChangeInfo[]> {
  const found = await callGitlab(
    `merge requests of ${sha}`,
    () => api.Commits.allMergeRequests(projectOf(repo), sha),
    signal,
  );
  return (found as unknown as MergeRequestFields[])
    .filter((mr) => mr.state === 'opened' && mr.sha === sha && mr.source_project_id === mr.target_project_id)
    .map((mr) => changeInfo(mr, null));
}

/** Message and dates of a commit; null when it does not exist. */
export async function getCommit(
  api: GitlabApi,
  repo: RepoRef,
  sha: string,
  signal?: AbortSignal,
): Promise<CommitInfo | null> {
  const commit = await orNull(
    callGitlab(`commit ${sha}`, () => api.Commits.show(projectOf(repo), sha), signal),
  );
  if (!commit) return null;
  return {
    message: commit.message,
    ...(commit.authored_date ? { authorDate: commit.authored_date } : {}),
    ...(commit.committed_date ? { committerDate: commit.committed_date } : {}),
  };
}

function changeInfo(mr: MergeRequestFields, fork: RepoRef | null): ChangeInfo {
  return {
    change: mr.iid,
    sha: mr.sha,
    ref: mr.source_branch,
    state: mr.state === 'opened' ? 'open' : 'closed',
    fork,
    author: mr.author?.username ?? '',
  };
}

/** The fork's path when the token can see it, else its id as the path (the API takes both). */
async function forkOf(api: GitlabApi, mr: MergeRequestFields, signal?: AbortSignal): Promise<RepoRef> {
  const id = mr.source_project_id;
  const project = await callGitlab(`project ${id}`, () => api.Projects.show(id), signal).catch(() => null);
  return { forge: 'gitlab', repo: project?.path_with_namespace ?? String(id), projectId: id };
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ForgeError && error.status === 404) return null;
    throw error;
  }
}
