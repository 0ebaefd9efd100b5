import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { extractTarball } from '../../src/source/extract-tarball.ts';

async function tarball(entries: Array<Parameters<ReturnType<typeof pack>['entry']>[0] & { text?: string }>) {
  const archive = pack();
  for (const { text, ...header } of entries) archive.entry(header, text ?? '');
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

test('entries escaping the folder are skipped; safe symlinks are kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-tar-'));
  try {
    const gz = await tarball([
      { name: 'top/ok.txt', text: 'ok' },
      { name: 'top/../../evil.txt', text: 'x' },
      { name: 'top/link', type: 'symlink', linkname: 'ok.txt' },
      { name: 'top/bad-link', type: 'symlink', linkname: '../../etc/passwd' },
    ]);
    const files = await extractTarball(Readable.from([gz]), dir, AbortSignal.timeout(5000));
    assert.equal(files, 1);
    assert.deepEqual((await readdir(dir)).sort(), ['link', 'ok.txt']);
    assert.equal(await readlink(join(dir, 'link')), 'ok.txt');
    await assert.rejects(access(join(dirname(dir), 'evil.txt')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
