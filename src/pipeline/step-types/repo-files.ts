import { posix } from 'node:path';
import type { FieldReader } from '../fields.ts';

/**
 * Normalises the repo-relative files a step gets (helm `files`, kubectl `file(s)`):
 * `./a/../b.yaml` → `b.yaml`. A path leaving the repository is an error and dropped,
 * so the source packer never reads outside the working tree.
 */
export function repoFiles(read: FieldReader, field: string, paths: string[]): string[] {
  return paths.flatMap((path) => {
    const normal = posix.normalize(path.replaceAll('\\', '/'));
    if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
      read.error(
        read.posOf(field),
        field,
        `"${path}" is outside the repository: use a path relative to its root`,
      );
      return [];
    }
    return [normal];
  });
}
