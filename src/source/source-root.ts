import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

/**
 * A source folder whose files are read for a build, with the one rule every reader
 * follows: a repo-relative path is read only when it stays below the folder once
 * every symlink on the way is resolved. A symlink itself is kept as a symlink (its
 * target is never read); a path through a symlinked folder that leads outside, or a
 * `..` path, is refused. Folder answers are cached: one `realpath` per folder.
 */
export class SourceRoot {
  readonly dir: string;
  #real: Promise<string> | undefined;
  readonly #folders = new Map<string, Promise<boolean>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Whether the folder holding `path` is the root or below it, symlinks resolved. A
   * folder that does not resolve (missing, a dangling link) holds nothing to read: true.
   */
  folderInside(path: string): Promise<boolean> {
    if (escapesLexically(path)) return Promise.resolve(false);
    const folder = dirname(join(this.dir, path));
    let known = this.#folders.get(folder);
    if (!known) {
      known = this.#resolvesInside(folder, true, true);
      this.#folders.set(folder, known);
    }
    return known;
  }

  /** Whether `path` itself, every symlink followed, is below the root: only then may its contents be read. */
  targetInside(path: string): Promise<boolean> {
    if (escapesLexically(path)) return Promise.resolve(false);
    return this.#resolvesInside(join(this.dir, path), false, false);
  }

  async #resolvesInside(full: string, rootItself: boolean, ifMissing: boolean): Promise<boolean> {
    this.#real ??= realpath(this.dir);
    const [root, real] = await Promise.all([this.#real, realpath(full).catch(() => null)]);
    if (real === null) return ifMissing;
    return (rootItself && real === root) || real.startsWith(root.endsWith(sep) ? root : root + sep);
  }
}

/** An absolute path, or one that climbs out with `..`. */
export const escapesLexically = (path: string): boolean =>
  path === '' || isAbsolute(path) || normalize(path).split(sep)[0] === '..';
