import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { copyFile, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One file to place in a step's copy; `transform` rewrites its text contents. */
export interface CopyItem {
  path: string;
  transform?: (text: string) => string;
}

/** What a source path is: a symlink, a file (its contents when small), or gone. */
type Entry =
  | { kind: 'link'; target: string }
  | { kind: 'file'; mode: number; data: Buffer | null }
  | { kind: 'other' }
  | { kind: 'missing' };

/** The working tree as read once for a build: every step's copy is written from it. */
export interface SourceTree {
  dir: string;
  entries: Map<string, Entry>;
  /** Total size of the regular files read. */
  bytes: number;
}

const PARALLEL = 16;
/** Up to this size a file is kept in memory and written whole; larger ones are copied with copyFile. */
const SMALL_FILE = 128 * 1024;
/** Most bytes of file contents kept in memory for one build. */
const KEPT_BYTES = 32 * 1024 * 1024;
/** A copy of at most this many entries, all in memory, is written synchronously (well under a millisecond). */
const SYNC_ENTRIES = 64;
const SYNC_BYTES = 256 * 1024;

/**
 * Reads `paths` of `dir` once (type, mode, link target, and the contents of small
 * files up to KEPT_BYTES in all), so each step's copy costs only writes. Aborting
 * `signal` stops the reading (paths not read yet are read when copied).
 */
export async function readSourceTree(
  dir: string,
  paths: string[],
  signal?: AbortSignal,
): Promise<SourceTree> {
  const entries = new Map<string, Entry>();
  let kept = 0;
  let bytes = 0;
  await inParallel(paths, signal, async (path) => {
    const source = join(dir, path);
    const stat = await lstat(source).catch(() => null);
    if (!stat) entries.set(path, { kind: 'missing' });
    else if (stat.isSymbolicLink()) entries.set(path, { kind: 'link', target: await readlink(source) });
    else if (!stat.isFile()) entries.set(path, { kind: 'other' });
    else {
      bytes += stat.size;
      const keep = stat.size <= SMALL_FILE && kept + stat.size <= KEPT_BYTES;
      if (keep) kept += stat.size;
      const data = keep ? await readFile(source).catch(() => null) : null;
      entries.set(path, { kind: 'file', mode: stat.mode & 0o7777, data });
    }
  });
  return { dir, entries, bytes };
}

/**
 * Writes repo-relative `items` of `source` under `to` (created if missing), keeping
 * symlinks and modes (under the umask, as a git checkout does). Paths that are not
 * in the tree read from disk now; files that no longer exist are skipped. Returns
 * the paths that were missing.
 */
export async function copyTree(source: SourceTree, to: string, items: CopyItem[]): Promise<string[]> {
  const dirs = [...new Set([to, ...items.map((item) => dirname(join(to, item.path)))])].sort();
  const leaves = dirs.filter((dir, i) => !dirs[i + 1]?.startsWith(`${dir}/`));
  const resolved = await Promise.all(items.map((item) => entryOf(source, item.path)));
  const missing: string[] = [];
  if (isSmall(resolved)) {
    for (const dir of leaves) mkdirSync(dir, { recursive: true });
    items.forEach((item, i) => {
      if (!writeSync(resolved[i] as Entry, join(to, item.path), item.transform)) missing.push(item.path);
    });
  } else {
    await Promise.all(leaves.map((dir) => mkdir(dir, { recursive: true })));
    await inParallel(items, undefined, async (item, i) => {
      const entry = resolved[i] as Entry;
      if (!(await write(entry, join(source.dir, item.path), join(to, item.path), item.transform)))
        missing.push(item.path);
    });
  }
  return missing.sort();
}

async function entryOf(source: SourceTree, path: string): Promise<Entry> {
  const known = source.entries.get(path);
  if (known) return known;
  return (await readSourceTree(source.dir, [path])).entries.get(path) ?? { kind: 'missing' };
}

/** Few entries, all in memory: written without going through the thread pool. */
function isSmall(entries: Entry[]): boolean {
  if (entries.length > SYNC_ENTRIES) return false;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.kind !== 'file') continue;
    if (!entry.data) return false;
    bytes += entry.data.length;
  }
  return bytes <= SYNC_BYTES;
}

function writeSync(entry: Entry, target: string, transform?: (text: string) => string): boolean {
  if (entry.kind === 'missing') return false;
  if (entry.kind === 'link') symlinkSync(entry.target, target);
  else if (entry.kind === 'file' && entry.data) {
    writeFileSync(target, transform ? transform(entry.data.toString('utf8')) : entry.data, {
      mode: entry.mode,
    });
  }
  return true;
}

async function write(entry: Entry, source: string, target: string, transform?: (text: string) => string) {
  if (entry.kind === 'missing') return false;
  if (entry.kind === 'link') await symlink(entry.target, target);
  else if (entry.kind === 'file') {
    const { mode, data } = entry;
    if (transform) {
      const text = data ? data.toString('utf8') : await readFile(source, 'utf8');
      await writeFile(target, transform(text), { mode });
    } else if (data) await writeFile(target, data, { mode });
    else {
      try {
        await copyFile(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    }
  }
  return true;
}

/** Runs `work` over `items`, PARALLEL at a time, until `signal` is aborted. */
async function inParallel<T>(
  items: T[],
  signal: AbortSignal | undefined,
  work: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length && !signal?.aborted; i = next++) await work(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}
