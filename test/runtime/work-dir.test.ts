import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultWorkDir, machineProbe, type WorkDirProbe } from '../../src/runtime/local/work-dir.ts';

const GiB = 1024 ** 3;
const TMPFS = 0x01021994;
const EXT4 = 0xef53;

/** A machine whose /dev/shm is mounted with `options` (null: not mounted) and has `available` bytes. */
function machine(options: string[] | null, fs: { type: number; available: number } | Error): WorkDirProbe {
  return {
    mountOptions: (dir) => (dir === '/dev/shm' ? options : null),
    statfs: () => {
      if (fs instanceof Error) throw fs;
      return fs;
    },
    tmpdir: () => '/var/tmp-of-the-os',
  };
}

describe('where step copies go by default', () => {
  it('uses /dev/shm when it is a tmpfs that runs programs and has room for the copies plus 2 GiB', () => {
    const roomy = machine(['rw', 'nosuid', 'nodev'], { type: TMPFS, available: 12 * GiB });
    assert.equal(defaultWorkDir(0, roomy), '/dev/shm');
    assert.equal(defaultWorkDir(10 * GiB, roomy), '/dev/shm');
  });

  it('uses the OS temp folder when the copies would leave less than 2 GiB in RAM', () => {
    const roomy = machine(['rw'], { type: TMPFS, available: 12 * GiB });
    assert.equal(defaultWorkDir(10 * GiB + 1, roomy), '/var/tmp-of-the-os');
    // A container's default /dev/shm: 64 MiB.
    const small = machine(['rw', 'nosuid', 'nodev', 'noexec'], { type: TMPFS, available: 64 * 1024 ** 2 });
    assert.equal(defaultWorkDir(0, small), '/var/tmp-of-the-os');
  });

  it('uses the OS temp folder when /dev/shm cannot run a step’s scripts, is read-only, missing or not RAM', () => {
    const fs = { type: TMPFS, available: 12 * GiB };
    assert.equal(defaultWorkDir(0, machine(['rw', 'nosuid', 'nodev', 'noexec'], fs)), '/var/tmp-of-the-os');
    assert.equal(defaultWorkDir(0, machine(['ro'], fs)), '/var/tmp-of-the-os');
    assert.equal(defaultWorkDir(0, machine(null, fs)), '/var/tmp-of-the-os');
    assert.equal(
      defaultWorkDir(0, machine(['rw'], { type: EXT4, available: 100 * GiB })),
      '/var/tmp-of-the-os',
    );
    assert.equal(defaultWorkDir(0, machine(['rw'], new Error('EACCES'))), '/var/tmp-of-the-os');
  });

  it('reads the mount options of a real mount point from this machine', () => {
    assert.ok(machineProbe.mountOptions('/proc')?.some((option) => option === 'rw' || option === 'ro'));
    assert.equal(machineProbe.mountOptions('/no/such/mount'), null);
  });
});
