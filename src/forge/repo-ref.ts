import type { BuildRequest } from '../builds/types.ts';
import type { RepoRef } from './types.ts';

/** The repository a build request is for, as the forge addresses it. */
export function repoRefOf(
  request: Pick<BuildRequest, 'forge' | 'repo' | 'projectId' | 'installationId'>,
): RepoRef {
  return {
    forge: request.forge,
    repo: request.repo,
    ...(request.projectId === undefined ? {} : { projectId: request.projectId }),
    ...(request.installationId === undefined ? {} : { installationId: request.installationId }),
  };
}
