import { execFile } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/**
 * The CLI as `npm run build` makes it, laid out in `dir` like an installed package
 * (bin/, dist/, package.json, the project's node_modules); returns its bin/berth.js.
 */
export async function builtPackage(dir: string): Promise<string> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await run(process.execPath, [join(root, 'scripts/build.ts'), '--outdir', join(dir, 'dist')]);
  await copyFile(join(root, 'bin/berth.js'), join(dir, 'bin/berth.js'));
  await copyFile(join(root, 'package.json'), join(dir, 'package.json'));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin/berth.js');
}
