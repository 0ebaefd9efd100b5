import assert from 'node:assert/strict';
import { access, lstat, mkdir, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { extractTarball } from '../../src/source/extract-tarball.ts';

type Entry = Parameters<ReturnType<typeof pack>['entry']>[0] & { text?: string };

async function tarball(entries: Entry[]) {
  const archive = pack();
  for (const { text, ...header } of entries) archive.entry(header, text ?? '');
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

// Each case extracts into <base>/out/target: anything written in <base> outside it escaped.
let base: string;
let target: string;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-tar-'));
});
after(() => rm(base, { recursive: true, force: true }));

async function extractInto(entries: Entry[], limits?: { entries: number; bytes: number }) {
  await rm(join(base, 'out'), { recursive: true, force: true });
  target = join(base, 'out', 'target');
  await mkdir(target, { recursive: true });
  return extractTarball(Readable.from([await tarball(entries)]), target, AbortSignal.timeout(5000), limits);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

test('safe files, folders and symlinks are written; symlinks pointing outside are skipped', async () => {
  const files = await extractInto([
    { name: 'top/ok.txt', text: 'ok' },
    { name: 'top/docs/', type: 'directory' },
    { name: 'top/docs/readme', text: 'r' },
    { name: 'top/link', type: 'symlink', linkname: 'ok.txt' },
    { name: 'top/docs/up', type: 'symlink', linkname: '../ok.txt' },
    { name: 'top/bad-link', type: 'symlink', linkname: '../../etc/passwd' },
    { name: 'top/abs-link', type: 'symlink', linkname: '/etc/passwd' },
  ]);
  assert.equal(files, 2);
  assert.deepEqual((await readdir(target)).sort(), ['docs', 'link', 'ok.txt']);
  assert.equal(await readlink(join(target, 'link')), 'ok.txt');
  assert.equal(await readlink(join(target, 'docs', 'up')), '../ok.txt');
});

test('a chain of symlinks cannot carry a file outside the target (issue 15)', async () => {
  await assert.rejects(
    extractInto([
      { name: 'top/a/b/', type: 'directory' },
      { name: 'top/a/b/c', type: 'symlink', linkname: '..' },
      { name: 'top/a/b/c/d', type: 'symlink', linkname: '../..' },
      { name: 'top/a/b/c/d/pwned', text: 'pwned' },
    ]),
    /unsafe repository archive: "a\/b\/c\/d" passes through the symlink "a\/b\/c"/,
  );
  assert.equal(await exists(join(base, 'out', 'pwned')), false);
  assert.equal(await exists(join(base, 'pwned')), false);
  assert.deepEqual(await readdir(join(base, 'out')), ['target']);
});

test('a file written over one of the archive’s symlinks is refused, not written through it', async () => {
  await assert.rejects(
    extractInto([
      { name: 'top/a/', type: 'directory' },
      { name: 'top/a/x', type: 'symlink', linkname: '../../../outside' },
      { name: 'top/a/x', text: 'through' },
    ]),
    /"a\/x" replaces a symlink/,
  );
  assert.equal(await exists(join(base, 'outside')), false);
});

test('a symlink whose target walks through another symlink is not created', async () => {
  await extractInto([
    { name: 'top/a/b/', type: 'directory' },
    { name: 'top/a/b/c', type: 'symlink', linkname: '..' },
    { name: 'top/x', type: 'symlink', linkname: 'a/b/c/../..' },
  ]);
  assert.equal((await lstat(join(target, 'a', 'b', 'c'))).isSymbolicLink(), true);
  assert.equal(await exists(join(target, 'x')), false);
});

test('absolute paths, "..", hard links and devices are refused with the entry named', async () => {
  const cases: Array<[Entry, RegExp]> = [
    [{ name: 'top/../../evil.txt', text: 'x' }, /"\.\.\/\.\.\/evil\.txt" goes up with "\.\."/],
    [{ name: '/etc/evil', text: 'x' }, /"\/etc\/evil" is an absolute path/],
    [{ name: 'top/hard', type: 'link', linkname: '/etc/passwd' }, /"hard" is a hard link/],
    [{ name: 'top/tty', type: 'character-device', devmajor: 5, devminor: 0 }, /"tty" is a character device/],
    [{ name: 'top/disk', type: 'block-device', devmajor: 8, devminor: 0 }, /"disk" is a block device/],
    [{ name: 'top/pipe', type: 'fifo' }, /"pipe" is a named pipe/],
  ];
  for (const [entry, message] of cases) {
    await assert.rejects(extractInto([{ name: 'top/ok.txt', text: 'ok' }, entry]), message);
    assert.equal(await exists(join(base, 'evil.txt')), false);
  }
});

test('an archive past its entry or byte limit is refused', async () => {
  const many = Array.from({ length: 11 }, (_, i) => ({ name: `top/f${i}`, text: 'x' }));
  await assert.rejects(extractInto(many, { entries: 10, bytes: 1000 }), /past the limit of 10 entries/);
  const big = [
    { name: 'top/a', text: 'x'.repeat(600) },
    { name: 'top/b', text: 'x'.repeat(600) },
  ];
  await assert.rejects(extractInto(big, { entries: 10, bytes: 1000 }), /past the limit of 1000 bytes/);
  assert.equal(await extractInto(big, { entries: 10, bytes: 1200 }), 2);
});
