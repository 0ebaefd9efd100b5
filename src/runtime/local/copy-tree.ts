import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One file to place in a step's copy; `transform` rewrites its text contents. */
export interface CopyItem {
  path: string;
  transform?: (text: string) => string;
}

const PARALLEL = 16;

/**
 * Copies repo-relative `items` from `from` to `to`, keeping modes and symlinks
 * (copy-on-write where the file system can). Files that no longer exist are
 * skipped; returns the paths that were missing.
 */
export async function copyTree(from: string, to: string, items: CopyItem[]): Promise<string[]> {
  const dirs = new Set(items.map((item) => dirname(join(to, item.path))));
  for (const dir of [...dirs].sort()) await mkdir(dir, { recursive: true });
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
    if (transform) await writeFile(target, transform(await readFile(source, 'utf8')));
    else await copyFile(source, target, constants.COPYFILE_FICLONE);
    await chmod(target, stat.mode & 0o7777);
  }
  return true;
}
