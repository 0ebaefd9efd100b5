import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Repo-relative paths (with `/`) of the files a build gets from `dir`: tracked plus
 * untracked files that git does not ignore when `respectGitignore` and `dir` is in a
 * git work tree; otherwise every file below `dir` except `.git/`. Sorted.
 */
export async function listSourceFiles(
  dir: string,
  options: { respectGitignore: boolean },
): Promise<string[]> {
  if (options.respectGitignore) {
    const fromGit = await gitFiles(dir);
    if (fromGit) return fromGit;
  }
  const files: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (path === '.git' || path.startsWith('.git/')) continue;
    files.push(path);
  }
  return files.sort();
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
