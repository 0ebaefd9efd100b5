// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${var} text
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { extract } from 'tar-stream';
import { packSources, substituteVariables } from '../../../src/runtime/kubernetes/source-pack.ts';
import type { BuildContext } from '../../../src/runtime/types.ts';
import { step } from './fixtures.ts';

async function entries(archive: Buffer): Promise<Map<string, { mode: number; body: string; link?: string }>> {
  const found = new Map<string, { mode: number; body: string; link?: string }>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.on('entry', (header, stream, next) => {
    let body = '';
    stream.on('data', (chunk: unknown) => {
      body += String(chunk);
    });
    stream.on('end', () => {
      found.set(header.name, {
        mode: header.mode ?? 0,
        body,
        ...(header.linkname ? { link: header.linkname } : {}),
      });
      next();
    });
  });
  Readable.from([archive]).pipe(reader);
  await done;
  return found;
}

test('the working tree is packed once with modes and links; listed files get ${var} substitution', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pack-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'chart'), { recursive: true });
  await writeFile(join(dir, 'build.sh'), 'echo hi\n');
  await chmod(join(dir, 'build.sh'), 0o755);
  await writeFile(join(dir, 'chart', 'values.yaml'), 'tag: ${version}\nkeep: ${unknown}\n');
  await symlink('build.sh', join(dir, 'run.sh'));
  const plan = {
    environment: null,
    inputs: {},
    secretInputs: [],
    secrets: [],
    variables: { version: '1.2.3' },
    stages: [
      {
        name: 'build',
        runsIf: 'success' as const,
        steps: [
          step(),
          step({
            name: 'deploy',
            type: 'helm',
            source: { kind: 'files', files: [{ path: 'chart/values.yaml', substitute: true }] },
          }),
        ],
      },
    ],
  };
  const build: BuildContext = { id: 'b', instance: 'i', plan, source: { dir, respectGitignore: false } };
  const archives = await packSources(build);
  const repo = await entries(archives.forStep(step()));
  assert.deepEqual([...repo.keys()].sort(), ['build.sh', 'chart/values.yaml', 'run.sh']);
  assert.equal(repo.get('build.sh')?.mode, 0o755);
  assert.equal(repo.get('run.sh')?.link, 'build.sh');
  assert.equal(repo.get('chart/values.yaml')?.body, 'tag: ${version}\nkeep: ${unknown}\n');
  const deploy = plan.stages[0]?.steps[1];
  assert.ok(deploy);
  const files = await entries(archives.forStep(deploy));
  assert.deepEqual([...files.keys()], ['chart/values.yaml']);
  assert.equal(files.get('chart/values.yaml')?.body, 'tag: 1.2.3\nkeep: ${unknown}\n');
});

test('substitution leaves unknown variables and other dollars alone', () => {
  assert.equal(substituteVariables('${a} $b ${c} $${a}', { a: 'A' }), 'A $b ${c} $A');
});
