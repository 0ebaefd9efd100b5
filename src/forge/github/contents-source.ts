import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors.ts';
import { call, type Octokit, ownerRepo } from './octokit.ts';

/** Files the contents-API fallback fetches at most (it costs one request per file). */
export const CONTENTS_FILE_LIMIT = 1000;

interface Item {
  type: string;
  path: string;
  content?: string;
}

/**
 * Writes the tree of `repo` at `sha` into `dir` through the contents API, one request
 * per folder and per file: the fallback for APIs that serve no tarball. Returns the
 * number of files written.
 */
export async function fetchByContents(
  octokit: Octokit,
  repo: string,
  sha: string,
  dir: string,
  signal: AbortSignal,
): Promise<number> {
  const get = async (path: string) =>
    (
      await call('read contents', () =>
        octokit.rest.repos.getContent({ ...ownerRepo(repo), path, ref: sha, request: { signal } }),
      )
    ).data as Item | Item[];
  const folders = [''];
  let files = 0;
  for (let folder = folders.shift(); folder !== undefined; folder = folders.shift()) {
    const listing = await get(folder);
    for (const item of Array.isArray(listing) ? listing : [listing]) {
      if (item.type === 'dir') folders.push(item.path);
      if (item.type !== 'file' || item.path.split('/').includes('..')) continue;
      if (++files > CONTENTS_FILE_LIMIT) {
        throw new ConfigError(
          `${repo} has more than ${CONTENTS_FILE_LIMIT} files: too many without a tarball`,
        );
      }
      const file = (await get(item.path)) as Item;
      await mkdir(dirname(join(dir, item.path)), { recursive: true });
      await writeFile(join(dir, item.path), Buffer.from(file.content ?? '', 'base64'));
    }
  }
  return files;
}
