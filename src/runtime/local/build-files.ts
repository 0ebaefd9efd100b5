import { listSourceFiles } from '../../source/list-files.ts';
import type { BuildSource } from '../types.ts';
import { readSourceTree, type SourceTree } from './copy-tree.ts';

/** The files a build's steps get: the list, and the tree read once when first needed. */
export interface BuildFiles {
  files: string[];
  tree(): Promise<SourceTree>;
}

/** Lists the source's files (git's view unless gitignore is off); the tree is read on demand. */
export async function listBuildFiles(source: BuildSource): Promise<BuildFiles> {
  const files = await listSourceFiles(source.dir, { respectGitignore: source.respectGitignore });
  let tree: Promise<SourceTree> | undefined;
  return { files, tree: () => (tree ??= readSourceTree(source.dir, files)) };
}

/**
 * Lists and reads `source` now, for a build about to be opened. Aborting `signal`
 * (no build after all) stops the reading; the tree is then read again when needed.
 */
export async function prefetchBuildFiles(source: BuildSource, signal: AbortSignal): Promise<BuildFiles> {
  const { files } = await listBuildFiles(source);
  const early = readSourceTree(source.dir, files, signal);
  early.catch(() => {});
  let tree: Promise<SourceTree> | undefined;
  return { files, tree: () => (tree ??= signal.aborted ? readSourceTree(source.dir, files) : early) };
}
