import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const rule = 'suspicious/noImportCycles';

/** `biome lint` with only the cycle rule, as configured in the project's biome.json. */
function lintCycles(configDir: string, path: string) {
  const run = spawnSync(
    process.execPath,
    [biome, 'lint', `--only=${rule}`, `--config-path=${configDir}`, path],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('import cycles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cycles-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the lint fails on a cycle made only of type imports', () => {
    const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.$schema;
    config.vcs = { enabled: false };
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport interface A { b?: B }\n");
    writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.ts';\nexport interface B { a?: A }\n");

    const { code, output } = lintCycles(dir, dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /noImportCycles/);
    assert.match(output, /a\.ts/);
  });

  it('src/ has none', () => {
    const { code, output } = lintCycles(root, 'src');
    assert.equal(code, 0, output);
  });
});
