import type { BuildRequest } from '../../builds/types.ts';
import { ConfigError } from '../../errors.ts';
import { repoRefOf } from '../repo-ref.ts';
import type { BuildReporter, ForgeAdapter, ReportTarget } from '../types.ts';
import { buildVariables } from '../variables.ts';
import type { GitlabApi } from './client.ts';
import type { GitlabForge } from './forge.ts';
import { type ForkHead, forkAware } from './fork-status.ts';
import { archiveSource } from './source.ts';

/** The fork a request's (or a notice's) merge request comes from, when it does. */
export function forkOfRequest(request: ReportTarget): ForkHead | null {
  if (!request.headRepo || request.change === undefined || request.headRepo === request.repo) return null;
  return { source: { forge: 'gitlab', repo: request.headRepo }, change: request.change };
}

/** What the worker uses to run and report a GitLab build. */
export function createGitlabAdapter(
  api: GitlabApi,
  forge: GitlabForge,
  reporter: BuildReporter,
): ForgeAdapter {
  return {
    name: 'gitlab',
    readFile: (request, path, signal) => forge.readFile(repoRefOf(request), shaOf(request), path, signal),
    source: archiveSource(api),
    async variables(request, sha, signal) {
      const needsCommit = !request.commit?.subject || !request.commit.committerDate;
      const commit = needsCommit
        ? await forge.getCommit(repoRefOf(request), sha, signal).catch(() => null)
        : null;
      return buildVariables(request, sha, commit);
    },
    reporter,
  };
}

/** The forge view the reporter writes through for one request or notice (fork-aware statuses). */
export const forgeForRequest = (forge: GitlabForge) => (request: ReportTarget) =>
  forkAware(forge, forkOfRequest(request));

function shaOf(request: BuildRequest): string {
  if (!request.sha) throw new ConfigError(`GitLab build of ${request.repo} has no commit sha`);
  return request.sha;
}
