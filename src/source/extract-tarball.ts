import { createWriteStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/**
 * Extracts a gzipped tarball (a forge's repository archive) into `dir`, dropping the
 * archive's top folder. Entries that would land outside `dir` are skipped; only
 * files, folders and symlinks that stay inside are written. Returns the file count.
 */
export async function extractTarball(archive: Readable, dir: string, signal: AbortSignal): Promise<number> {
  const root = resolve(dir);
  const tar = extract();
  let files = 0;
  const consume = (async () => {
    for await (const entry of tar) {
      const target = inside(root, stripTop(entry.header.name));
      const type = entry.header.type;
      if (target && type === 'file') {
        await mkdir(dirname(target), { recursive: true });
        await pipeline(entry, createWriteStream(target, { mode: (entry.header.mode ?? 0o644) & 0o777 }), {
          signal,
        });
        files += 1;
        continue;
      }
      if (target && type === 'directory') await mkdir(target, { recursive: true });
      const link = entry.header.linkname;
      if (target && type === 'symlink' && link && contains(root, resolve(dirname(target), link))) {
        await mkdir(dirname(target), { recursive: true });
        await symlink(link, target);
      }
      await drain(entry);
    }
  })();
  await Promise.all([pipeline(archive, createGunzip(), tar, { signal }), consume]);
  return files;
}

const stripTop = (name: string): string => name.split('/').slice(1).join('/');

function inside(root: string, path: string): string | null {
  if (!path || isAbsolute(path)) return null;
  const target = resolve(root, path);
  return contains(root, target) ? target : null;
}

function contains(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const chunk of entry) void chunk;
}
