import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeTree } from '../../src/runtime/local/remove-tree.ts';
import { tempDir } from '../support/engine.ts';

let work: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  work = await tempDir('berth-remove-');
});
after(() => work.remove());

async function tree(name: string, files: number) {
  const dir = join(work.dir, name);
  await mkdir(join(dir, 'a/b'), { recursive: true });
  for (let i = 0; i < files; i++) await writeFile(join(dir, i % 2 ? 'a/b' : 'a', `f${i}`), 'x');
  await writeFile(join(work.dir, 'outside'), 'kept');
  await symlink(work.dir, join(dir, 'a/up'));
  return dir;
}

describe('removeTree', () => {
  it('removes small and large trees, never following symlinks out', async () => {
    for (const [name, files] of [
      ['small', 3],
      ['large', 300],
    ] as const) {
      const dir = await tree(name, files);
      await removeTree(dir);
      assert.ok(!existsSync(dir), name);
      assert.ok(existsSync(join(work.dir, 'outside')));
    }
    await removeTree(join(work.dir, 'missing'));
  });
});
