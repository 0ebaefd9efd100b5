import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { BuildRequest } from '../../builds/types.ts';
import { ConfigError } from '../../errors.ts';
import { extractTarball } from '../../source/extract-tarball.ts';
import type { SourceProvider } from '../types.ts';
import { callGitlab, type GitlabApi } from './client.ts';

/** The project a request's files are read from: the target project (it holds fork MR heads too). */
export const projectOfRequest = (request: BuildRequest): number | string => request.projectId ?? request.repo;

/** Downloads the repository archive at the request's sha and unpacks it into the build folder. */
export function archiveSource(api: GitlabApi): SourceProvider {
  return {
    async fetch(request, dir, signal) {
      const sha = request.sha;
      if (!sha) throw new ConfigError(`GitLab build of ${request.repo} has no commit sha`);
      const archive = await callGitlab(
        `archive ${request.repo}@${sha}`,
        () =>
          api.Repositories.showArchive(projectOfRequest(request), {
            sha,
            fileType: 'tar.gz',
            asStream: true,
          }),
        signal,
      );
      await extractTarball(Readable.fromWeb(archive as ReadableStream), dir, signal);
      return { sha };
    },
  };
}
