import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTree, readSourceTree } from '../../src/runtime/local/copy-tree.ts';
import { tempDir } from '../support/engine.ts';

let source: Awaited<ReturnType<typeof tempDir>>;
let target: Awaited<ReturnType<typeof tempDir>>;
const many = Array.from({ length: 80 }, (_, i) => `src/d${i % 7}/f${i}.txt`);

before(async () => {
  source = await tempDir('berth-copy-src-');
  target = await tempDir('berth-copy-dst-');
  for (const path of many) {
    await mkdir(join(source.dir, path, '..'), { recursive: true });
    await writeFile(join(source.dir, path), path);
  }
  await writeFile(join(source.dir, 'big.bin'), Buffer.alloc(300 * 1024, 7));
  await chmod(join(source.dir, 'big.bin'), 0o755);
  await writeFile(join(source.dir, 'run.sh'), 'echo $TAG\n');
  await chmod(join(source.dir, 'run.sh'), 0o755);
  await symlink('run.sh', join(source.dir, 'link'));
  await writeFile(join(source.dir, 'late.txt'), 'not listed');
});
after(async () => {
  await source.remove();
  await target.remove();
});

async function same(dir: string, path: string) {
  const [a, b] = [join(source.dir, path), join(dir, path)];
  const [sa, sb] = [await lstat(a), await lstat(b)];
  assert.equal(sb.mode & 0o111, sa.mode & 0o111, `${path} mode`);
  if (sa.isSymbolicLink()) assert.equal(await readlink(b), await readlink(a));
  else assert.deepEqual(await readFile(b), await readFile(a), path);
}

describe('copyTree', () => {
  it('writes a large tree from what was read once: files, modes, big files, symlinks', async () => {
    const paths = [...many, 'big.bin', 'run.sh', 'link', 'gone.txt'];
    const tree = await readSourceTree(source.dir, paths);
    const dir = join(target.dir, 'large');
    assert.deepEqual(
      await copyTree(
        tree,
        dir,
        paths.map((path) => ({ path })),
      ),
      ['gone.txt'],
    );
    for (const path of paths.slice(0, -1)) await same(dir, path);
  });

  it('writes a small tree at once, transforms text, and reads unlisted paths from disk', async () => {
    const tree = await readSourceTree(source.dir, ['run.sh', 'link']);
    const dir = join(target.dir, 'small');
    const items = [
      { path: 'run.sh', transform: (text: string) => text.replace('$TAG', 'v1') },
      { path: 'link' },
      { path: 'late.txt' },
      { path: 'nope.txt' },
    ];
    assert.deepEqual(await copyTree(tree, dir, items), ['nope.txt']);
    assert.equal(await readFile(join(dir, 'run.sh'), 'utf8'), 'echo v1\n');
    assert.equal((await lstat(join(dir, 'run.sh'))).mode & 0o111, 0o111);
    await same(dir, 'link');
    await same(dir, 'late.txt');
  });
});
