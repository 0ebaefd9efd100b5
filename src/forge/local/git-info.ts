import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What git knows about a working tree's HEAD; null outside a git work tree. */
export interface GitHead {
  sha: string;
  subject: string;
  authorDate: string;
  committerDate: string;
  branch: string | null;
}

/** Reads HEAD of the work tree at `dir`. */
export async function gitHead(dir: string, signal?: AbortSignal): Promise<GitHead | null> {
  try {
    const options = { cwd: dir, ...(signal ? { signal } : {}) };
    const { stdout } = await run('git', ['log', '-1', '--format=%H%x00%s%x00%aI%x00%cI'], options);
    const [sha = '', subject = '', authorDate = '', committerDate = ''] = stdout.trim().split('\0');
    const branch = await run('git', ['symbolic-ref', '--short', '-q', 'HEAD'], options).then(
      (r) => r.stdout.trim() || null,
      () => null,
    );
    return { sha, subject, authorDate, committerDate, branch };
  } catch {
    return null;
  }
}
