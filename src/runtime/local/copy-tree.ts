import { copyFile, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One file to place in a step's copy; `transform` rewrites its text contents. */
export interface CopyItem {
  path: string;
  transform?: (text: string) => string;
}

const PARALLEL = 16;
/** Up to this size a file is read and written whole: several times faster than copyFile for small files. */
const SMALL_FILE = 128 * 1024;

/**
 * Copies repo-relative `items` from `from` to `to` (created if missing), keeping
 * symlinks and modes (under the umask, as a git checkout does). Files that no
 * longer exist are skipped; returns the paths that were missing.
 */
export async function copyTree(from: string, to: string, items: CopyItem[]): Promise<string[]> {
  const dirs = [...new Set([to, ...items.map((item) => dirname(join(to, item.path)))])].sort();
  const leaves = dirs.filter((dir, i) => !dirs[i + 1]?.startsWith(`${dir}/`));
  await Promise.all(leaves.map((dir) => mkdir(dir, { recursive: true })));
  const missing: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let item = items[next++]; item; item = items[next++]) {
      if (!(await copyOne(join(from, item.path), join(to, item.path), item.transform)))
        missing.push(item.path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return missing.sort();
}

async function copyOne(source: string, target: string, transform?: (text: string) => string) {
  const stat = await lstat(source).catch(() => null);
  if (!stat) return false;
  if (stat.isSymbolicLink()) {
    await symlink(await readlink(source), target);
  } else if (stat.isFile()) {
    const mode = stat.mode & 0o7777;
    if (transform) await writeFile(target, transform(await readFile(source, 'utf8')), { mode });
    else if (stat.size <= SMALL_FILE) await writeFile(target, await readFile(source), { mode });
    else await copyFile(source, target);
  }
  return true;
}
