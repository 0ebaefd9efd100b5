import { posix } from 'node:path';

/** Most entries and file bytes (uncompressed) one repository archive may hold. */
export interface ArchiveLimits {
  entries: number;
  bytes: number;
}

/** Larger than any repository a CI bot should unpack, small enough to protect the worker's disk. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = Object.freeze({
  entries: 500_000,
  bytes: 4 * 1024 ** 3,
});

/** The header fields of a tar entry the rules read (name already relative to the target). */
export interface ArchiveEntry {
  name: string;
  type?: string | null;
  size?: number | null;
  linkname?: string | null;
  mode?: number | null;
}

/** What to do with one entry. */
export type Verdict =
  | { action: 'write'; kind: 'file' | 'directory'; path: string }
  | { action: 'write'; kind: 'symlink'; path: string; link: string }
  | { action: 'skip' }
  | { action: 'refuse'; reason: string };

const FILE_TYPES = new Set(['file', 'contiguous-file']);
const REFUSED_TYPES: Record<string, string> = {
  link: 'a hard link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a named pipe',
};

/**
 * Decides, entry by entry, what of a repository archive may be written: only paths
 * below the target that pass through no symlink the archive made, only files,
 * folders and symlinks that point inside. Stateful: it remembers the archive's
 * symlinks and counts entries and bytes.
 */
export class ArchiveRules {
  readonly #limits: ArchiveLimits;
  readonly #links = new Set<string>();
  #entries = 0;
  #bytes = 0;

  constructor(limits: ArchiveLimits) {
    this.#limits = limits;
  }

  check(entry: ArchiveEntry): Verdict {
    const raw = entry.name;
    if (raw === '' || raw === '/' || raw === './') return { action: 'skip' };
    const refuse = (why: string): Verdict => ({ action: 'refuse', reason: `"${raw}" ${why}` });
    if (++this.#entries > this.#limits.entries)
      return refuse(`is past the limit of ${this.#limits.entries} entries`);
    if (raw.startsWith('/')) return refuse('is an absolute path');
    const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return refuse('goes up with ".."');
    const path = parts.join('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.#links.has(prefix))
        return refuse(i === parts.length ? 'replaces a symlink' : `passes through the symlink "${prefix}"`);
    }
    const type = entry.type ?? 'file';
    const refused = REFUSED_TYPES[type];
    if (refused) return refuse(`is ${refused}`);
    if (type === 'directory') return { action: 'write', kind: 'directory', path };
    if (FILE_TYPES.has(type)) {
      this.#bytes += entry.size ?? 0;
      if (this.#bytes > this.#limits.bytes)
        return refuse(`takes the archive past the limit of ${this.#limits.bytes} bytes`);
      return { action: 'write', kind: 'file', path };
    }
    if (type !== 'symlink' || !entry.linkname) return { action: 'skip' };
    const inside = pointsInside(path, entry.linkname, this.#links);
    this.#links.add(path);
    if (!inside) return { action: 'skip' };
    return { action: 'write', kind: 'symlink', path, link: entry.linkname };
  }
}

/**
 * Whether a symlink at `path` (relative to the root) to `link` names something below
 * the root, walking the target a component at a time: going above the root, or
 * through another of the archive's symlinks (which could lead anywhere), is outside.
 */
function pointsInside(path: string, link: string, links: ReadonlySet<string>): boolean {
  if (posix.isAbsolute(link)) return false;
  const at = posix
    .dirname(path)
    .split('/')
    .filter((part) => part !== '.');
  for (const part of link.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.pop() === undefined) return false;
      continue;
    }
    at.push(part);
    if (links.has(at.join('/'))) return false;
  }
  return at.length > 0;
}
