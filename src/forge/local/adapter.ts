import { copyFile, lstat, mkdir, readFile, readlink, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BuildRequest } from '../../builds/types.ts';
import { ConfigError } from '../../errors.ts';
import { listSourceFiles } from '../../source/list-files.ts';
import { SourceRoot } from '../../source/source-root.ts';
import type { BuildVariables, ForgeAdapter, SourceProvider } from '../types.ts';
import { gitHead } from './git-info.ts';

/** Stand-in sha for a folder that is not a git work tree. */
const NO_GIT_SHA = '0'.repeat(40);

/**
 * Copies a local folder's files (honouring .gitignore) into the build's folder. A
 * symlink is copied as a symlink, never as the file it points to; a path whose folder
 * leads outside the source folder through a symlink is not copied.
 */
export const localSource: SourceProvider = {
  async fetch(request, dir, signal) {
    const root = new SourceRoot(await existingDir(request.repo));
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
};

/** The `local` forge: builds of a folder on the worker's disk; reporting is a no-op. */
export function createLocalAdapter(): ForgeAdapter {
  return {
    name: 'local',
    async readFile(request, path) {
      const root = new SourceRoot(await existingDir(request.repo));
      if (!(await root.targetInside(path))) return null;
      return readFile(join(root.dir, path), 'utf8').catch(() => null);
    },
    source: localSource,
    variables: localVariables,
    estimatedVariables: (request) => ({ REPO_GROUP: 'local', REPO_NAME: basename(request.repo) }),
    reporter: { report: async () => {}, notice: async () => {} },
  };
}

async function localVariables(
  request: BuildRequest,
  sha: string,
  signal: AbortSignal,
): Promise<BuildVariables> {
  const head = await gitHead(request.repo, signal);
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

async function existingDir(path: string): Promise<string> {
  const root = resolve(path);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new ConfigError(`local source ${path} is not a folder on this worker`);
  return root;
}
