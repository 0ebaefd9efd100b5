import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: 10_000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

/** `group/sub` and `name` from a remote URL (https, ssh or scp-like). */
export function repoFromRemote(url: string): { group: string; name: string } | null {
  const path = url
    .trim()
    .replace(/^[a-z+]+:\/\/[^/]+\//i, '')
    .replace(/^[^@/]+@[^:]+:/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop();
  return name ? { group: parts.join('/'), name } : null;
}

/**
 * What `berth run` estimates of a working tree: the GIT_* of HEAD (empty when unknown,
 * e.g. no tag), REPO_GROUP/REPO_NAME from the origin remote (REPO_NAME falls back to
 * the folder name). Outside a git work tree only REPO_NAME is set, so uses of the
 * others are warned about. The lowest variable layer: WHARF_VAR_* and .wharf-vars.yml win.
 */
export async function gitBuildVars(repoDir: string): Promise<Record<string, string>> {
  const vars: Record<string, string> = { REPO_NAME: basename(repoDir) };
  const commit = await git(repoDir, ['rev-parse', 'HEAD']);
  if (commit === null) return vars;
  const [log, branch, tag, remote] = await Promise.all([
    git(repoDir, ['log', '-1', '--format=%s%x00%aI%x00%cI']),
    git(repoDir, ['symbolic-ref', '--short', '-q', 'HEAD']),
    git(repoDir, ['describe', '--tags', '--exact-match', 'HEAD']),
    git(repoDir, ['remote', 'get-url', 'origin']),
  ]);
  const [subject = '', authorDate = '', committerDate = ''] = (log ?? '').split('\0');
  Object.assign(vars, {
    GIT_COMMIT: commit,
    GIT_COMMIT_SUBJECT: subject,
    GIT_COMMIT_AUTHOR_DATE: authorDate,
    GIT_COMMIT_COMMITTER_DATE: committerDate,
    GIT_BRANCH: branch ?? '',
    REPO_BRANCH: branch ?? '',
    GIT_SAFEBRANCH: (branch ?? '').replaceAll('/', '-'),
    GIT_TAG: tag ?? '',
  });
  const repo = remote ? repoFromRemote(remote) : null;
  if (repo) {
    vars.REPO_GROUP = repo.group;
    vars.REPO_NAME = repo.name;
  }
  return vars;
}
