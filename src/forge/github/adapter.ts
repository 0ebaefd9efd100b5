import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { Logger } from 'pino';
import type { BuildRequest } from '../../builds/types.ts';
import { ConfigError, ForgeError } from '../../errors.ts';
import { extractTarball } from '../../source/extract-tarball.ts';
import { repoRefOf } from '../repo-ref.ts';
import type { BuildReporter, ForgeAdapter, SourceProvider } from '../types.ts';
import { buildVariables } from '../variables.ts';
import { fetchByContents } from './contents-source.ts';
import type { GithubForge } from './forge.ts';
import { call, type Octokit, ownerRepo } from './octokit.ts';

/** How the adapter reaches one installation. */
export interface GithubClients {
  octokitFor(installationId: number): Promise<Octokit>;
  forgeFor(installationId: number): Promise<GithubForge>;
}

/** The worker's view of GitHub: pipeline file, source tarball, build variables, reporter. */
export function createGithubAdapter(
  clients: GithubClients,
  reporter: BuildReporter,
  logger: Logger,
): ForgeAdapter {
  return {
    name: 'github',
    async readFile(request, path, signal) {
      const forge = await clients.forgeFor(installationOf(request));
      return forge.readFile(repoRefOf(request), shaOf(request), path, signal);
    },
    source: tarballSource(clients, logger),
    async variables(request, sha, signal) {
      const forge = await clients.forgeFor(installationOf(request));
      const known = request.commit?.subject !== undefined && request.commit.committerDate !== undefined;
      // The subject and dates are nice to have: a failed lookup leaves them out.
      const commit = known ? null : await forge.getCommit(repoRefOf(request), sha, signal).catch(() => null);
      return buildVariables(request, sha, commit);
    },
    reporter,
  };
}

/**
 * The source of a build from the repository tarball at its sha (top folder stripped);
 * when the API serves no tarball (404, 501), file by file through the contents API.
 */
export function tarballSource(clients: Pick<GithubClients, 'octokitFor'>, logger: Logger): SourceProvider {
  return {
    async fetch(request, dir, signal) {
      const sha = shaOf(request);
      const octokit = await clients.octokitFor(installationOf(request));
      try {
        const response = await call('download tarball', () =>
          octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', {
            ...ownerRepo(request.repo),
            ref: sha,
            request: { parseSuccessResponseBody: false, signal },
          }),
        );
        await extractTarball(Readable.fromWeb(response.data as unknown as ReadableStream), dir, signal);
      } catch (err) {
        if (!(err instanceof ForgeError) || (err.status !== 404 && err.status !== 501)) throw err;
        logger.warn(
          { err, repo: request.repo, sha },
          'no tarball; fetching the source through the contents API',
        );
        await fetchByContents(octokit, request.repo, sha, dir, signal);
      }
      return { sha };
    },
  };
}

function installationOf(request: BuildRequest): number {
  if (request.installationId === undefined)
    throw new ConfigError(`build of ${request.repo} names no GitHub App installation`);
  return request.installationId;
}

function shaOf(request: BuildRequest): string {
  if (!request.sha) throw new ConfigError(`build of ${request.repo} names no commit sha`);
  return request.sha;
}
