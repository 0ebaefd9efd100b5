import { copyFile, lstat, mkdir, readFile, readlink, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BuildRequest } from '../../builds/types.ts';
import { ConfigError } from '../../errors.ts';
import { listSourceFiles } from '../../source/list-files.ts';
import { insideLocalRoots } from '../../source/local-roots.ts';
import { SourceRoot } from '../../source/source-root.ts';
import type { BuildVariables, ForgeAdapter, SourceProvider } from '../types.ts';
import { gitHead } from './git-info.ts';

/** Stand-in sha for a folder that is not a git work tree. */
const NO_GIT_SHA = '0'.repeat(40);

/**
 * Copies a local folder's files (honouring .gitignore) into the build's folder. A
 * symlink is copied as a symlink, never as the file it points to; a path whose folder
 * leads outside the source folder through a symlink is not copied. The folder must be
 * inside one of `roots` (BERTH_LOCAL_SOURCES), checked here where it is read.
 */
const localSource = (roots: readonly string[]): SourceProvider => ({
  async fetch(request, dir, signal) {
    const root = new SourceRoot(await allowedDir(request.repo, roots));
    for (const file of await listSourceFiles(root.dir, { respectGitignore: true })) {
      signal.throwIfAborted();
      if (!(await root.folderInside(file))) continue;
      const from = join(root.dir, file);
      const info = await lstat(from).catch(() => null);
      if (!info?.isFile() && !info?.isSymbolicLink()) continue;
      await mkdir(dirname(join(dir, file)), { recursive: true });
      if (info.isSymbolicLink()) await symlink(await readlink(from), join(dir, file));
      else await copyFile(from, join(dir, file));
    }
    return { sha: (await gitHead(root.dir, signal))?.sha ?? request.sha ?? NO_GIT_SHA };
  },
});

/**
 * The `local` forge: builds of a folder on the worker's disk, inside one of `roots`
 * (BERTH_LOCAL_SOURCES; none: no local builds); reporting is a no-op.
 */
export function createLocalAdapter(roots: readonly string[]): ForgeAdapter {
  return {
    name: 'local',
    async readFile(request, path) {
      const root = new SourceRoot(await allowedDir(request.repo, roots));
      if (!(await root.targetInside(path))) return null;
      return readFile(join(root.dir, path), 'utf8').catch(() => null);
    },
    source: localSource(roots),
    variables: async (request, sha, signal) =>
      localVariables(await allowedDir(request.repo, roots), request, sha, signal),
    estimatedVariables: (request) => ({ REPO_GROUP: 'local', REPO_NAME: basename(request.repo) }),
    reporter: { report: async () => {}, notice: async () => {} },
  };
}

async function localVariables(
  dir: string,
  request: BuildRequest,
  sha: string,
  signal: AbortSignal,
): Promise<BuildVariables> {
  const head = await gitHead(dir, signal);
  const branch = request.refType === 'branch' ? request.ref : '';
  const vars: BuildVariables = {
    GIT_COMMIT: sha,
    GIT_BRANCH: branch,
    REPO_BRANCH: branch,
    GIT_SAFEBRANCH: branch.replaceAll('/', '-'),
    GIT_TAG: request.refType === 'tag' ? request.ref : '',
  };
  if (head?.sha === sha) {
    vars.GIT_COMMIT_SUBJECT = head.subject;
    vars.GIT_COMMIT_AUTHOR_DATE = head.authorDate;
    vars.GIT_COMMIT_COMMITTER_DATE = head.committerDate;
  }
  return vars;
}

async function allowedDir(path: string, roots: readonly string[]): Promise<string> {
  const allowed = await insideLocalRoots(path, roots);
  if (!allowed.ok) throw new ConfigError(`local source refused: ${allowed.message}`);
  const info = await stat(allowed.path).catch(() => null);
  if (!info?.isDirectory()) throw new ConfigError(`local source ${path} is not a folder on this worker`);
  return allowed.path;
}
