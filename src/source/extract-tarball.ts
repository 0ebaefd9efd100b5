import { constants } from 'node:fs';
import { mkdir, open, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { ConfigError } from '../errors.ts';
import {
  type ArchiveEntry,
  type ArchiveLimits,
  ArchiveRules,
  DEFAULT_ARCHIVE_LIMITS,
} from './archive-rules.ts';

/** Write-only, created or truncated, and never through a symlink at the last component. */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/**
 * Extracts a gzipped tarball (a forge's repository archive) into `dir`, dropping the
 * archive's top folder. Regular files, folders and symlinks that stay inside are
 * written; a symlink pointing outside `dir` is skipped. An archive that tries to
 * write outside (an absolute path, `..`, a path through one of its own symlinks),
 * holds a hard link or a device, or exceeds `limits` is refused with a ConfigError
 * naming the entry. Returns the file count.
 */
export async function extractTarball(
  archive: Readable,
  dir: string,
  signal: AbortSignal,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<number> {
  const root = resolve(dir);
  const rules = new ArchiveRules(limits);
  const tar = extract();
  let files = 0;
  const consume = (async () => {
    for await (const entry of tar) {
      const header = entry.header as ArchiveEntry;
      const verdict = rules.check({ ...header, name: stripTop(header.name) });
      if (verdict.action === 'refuse') throw new ConfigError(`unsafe repository archive: ${verdict.reason}`);
      if (verdict.action === 'write') {
        const target = join(root, verdict.path);
        if (verdict.kind === 'directory') await mkdir(target, { recursive: true });
        else {
          await mkdir(dirname(target), { recursive: true });
          if (verdict.kind === 'symlink') await symlink(verdict.link, target);
          else {
            const mode = (header.mode ?? 0o644) & 0o777;
            const file = await open(target, WRITE_FLAGS, mode);
            await pipeline(entry, file.createWriteStream(), { signal });
            files += 1;
            continue;
          }
        }
      }
      await drain(entry);
    }
  })();
  consume.catch((error: unknown) => tar.destroy(error as Error));
  await Promise.all([pipeline(archive, createGunzip(), tar, { signal }), consume]);
  return files;
}

/** The name below the archive's top folder (an absolute name is kept, to be refused). */
const stripTop = (name: string): string => (name.startsWith('/') ? name : name.split('/').slice(1).join('/'));

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const chunk of entry) void chunk;
}
