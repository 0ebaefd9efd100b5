import { readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A tree of at most this many entries is removed synchronously (well under a millisecond). */
const SYNC_ENTRIES = 64;

/**
 * Removes `dir` and everything in it. A small tree (what most steps leave) goes at
 * once, synchronously; a larger one in the background, so the event loop never
 * waits on a step that wrote thousands of files.
 */
export function removeTree(dir: string): Promise<void> {
  try {
    if (entriesUpTo(dir, SYNC_ENTRIES) <= SYNC_ENTRIES) {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    }
  } catch {
    // Fall back to the asynchronous removal, which reports its own errors.
  }
  return rm(dir, { recursive: true, force: true });
}

/**
 * Entries under `dir`, counting no further than just past `limit`: folders are read
 * whole (one call each, far cheaper than a Dir handle), none after the limit.
 */
function entriesUpTo(dir: string, limit: number): number {
  let count = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (++count > limit) return;
      if (entry.isDirectory()) walk(join(path, entry.name));
    }
  };
  walk(dir);
  return count;
}
