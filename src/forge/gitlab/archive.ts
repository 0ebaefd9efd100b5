import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { ConfigError } from '../../errors.ts';

/**
 * Extracts a GitLab repository archive (tar.gz with one top folder) into `dir`,
 * dropping the top folder. Entries that would land outside `dir` are refused.
 */
export async function extractArchive(
  archive: ReadableStream<Uint8Array>,
  dir: string,
  signal: AbortSignal,
): Promise<number> {
  const root = resolve(dir);
  const untar = extract();
  let files = 0;
  const consume = async () => {
    for await (const entry of untar) {
      const target = targetOf(root, entry.header.name);
      if (target) {
        await writeEntry(root, target, entry.header, entry as AsyncIterable<Uint8Array>);
        if (entry.header.type === 'file') files++;
      }
      entry.resume();
    }
  };
  const source = Readable.fromWeb(archive as import('node:stream/web').ReadableStream);
  const unpacked = pipeline(source, createGunzip(), untar as unknown as NodeJS.WritableStream, { signal });
  await Promise.all([
    unpacked,
    consume().catch((error: unknown) => {
      untar.destroy(error as Error);
      throw error;
    }),
  ]);
  return files;
}

function targetOf(root: string, name: string): string | null {
  const inner = name.split('/').slice(1).join('/');
  if (!inner || inner === '/') return null;
  const target = resolve(root, inner);
  if (!isInside(root, target)) throw new ConfigError(`repository archive entry escapes the folder: ${name}`);
  return target;
}

async function writeEntry(
  root: string,
  target: string,
  header: Header,
  body: AsyncIterable<Uint8Array>,
): Promise<void> {
  if (header.type === 'directory') {
    await mkdir(target, { recursive: true });
  } else if (header.type === 'file') {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, body, { flag: 'wx', mode: header.mode & 0o111 ? 0o755 : 0o644 });
  } else if (header.type === 'symlink' && header.linkname) {
    const pointsTo = resolve(dirname(target), header.linkname);
    if (isAbsolute(header.linkname) || !isInside(root, pointsTo)) return;
    await mkdir(dirname(target), { recursive: true });
    await symlink(header.linkname, target);
  }
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && join(root, rel) === target;
}
