import { readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** The RAM-backed folder most Linux systems mount for every user. */
const RAM_DIR = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
/** Room a RAM folder keeps for what steps write, beyond the copies themselves. */
const RAM_HEADROOM_BYTES = 2 * 1024 ** 3;

/** What the folder choice reads from the machine (replaced in tests). */
export interface WorkDirProbe {
  /** Mount options of `dir` when it is a mount point, else null. */
  mountOptions(dir: string): string[] | null;
  /** Filesystem type and bytes available to this user. */
  statfs(dir: string): { type: number; available: number };
  tmpdir(): string;
}

export const machineProbe: WorkDirProbe = {
  mountOptions(dir) {
    try {
      const line = readFileSync('/proc/self/mounts', 'utf8')
        .split('\n')
        .find((entry) => entry.split(' ')[1] === dir);
      return line?.split(' ')[3]?.split(',') ?? null;
    } catch {
      return null;
    }
  },
  statfs(dir) {
    const stats = statfsSync(dir);
    return { type: stats.type, available: stats.bavail * stats.bsize };
  },
  tmpdir,
};

/**
 * Where a build's step copies go when no folder is configured. Making and removing
 * a step's copy is file-system metadata work that a journaled disk makes slow (on
 * ext4 here, 0.5 ms per step against 0.05 ms on tmpfs), so the copies go to
 * /dev/shm when it is a tmpfs that allows running programs and has room for
 * `copyBytes` plus 2 GiB; otherwise to the OS temp folder. (Bazel gives the same
 * advice for its sandboxes: `--sandbox_base=/dev/shm`.)
 */
export function defaultWorkDir(copyBytes: number, probe: WorkDirProbe = machineProbe): string {
  const options = probe.mountOptions(RAM_DIR);
  if (!options || options.includes('noexec') || options.includes('ro')) return probe.tmpdir();
  try {
    const { type, available } = probe.statfs(RAM_DIR);
    if (type === TMPFS_MAGIC && available >= copyBytes + RAM_HEADROOM_BYTES) return RAM_DIR;
  } catch {
    // Not readable here: use the temp folder.
  }
  return probe.tmpdir();
}
