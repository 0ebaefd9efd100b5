import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Repo-relative paths (with `/`) of the files a build gets from `dir`: tracked plus
 * untracked files that git does not ignore when `respectGitignore` and `dir` is in a
 * git work tree; otherwise every file below `dir` except `.git/`. Symlinks are listed,
 * never followed into (a symlinked folder is one entry). Sorted.
 */
export async function listSourceFiles(
  dir: string,
  options: { respectGitignore: boolean },
): Promise<string[]> {
  if (options.respectGitignore) {
    const fromGit = await gitFiles(dir);
    if (fromGit) return fromGit;
  }
  return (await walk(dir)).sort();
}

/** Every non-folder entry below `dir` except `.git/`, never descending into a symlinked folder. */
async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  const folders = [''];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for (const entry of await readdir(join(dir, folder), { withFileTypes: true })) {
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (path === '.git') continue;
      if (entry.isDirectory()) folders.push(path);
      else files.push(path);
    }
  }
  return files;
}

async function gitFiles(dir: string): Promise<string[] | null> {
  try {
    const { stdout } = await run(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'],
      { cwd: dir, maxBuffer: 256 * 1024 * 1024 },
    );
    // ls-files lists deleted-but-tracked files too; callers stat what they copy.
    return stdout.split('\0').filter(Boolean).sort();
  } catch {
    return null;
  }
}
