// `npm run build`: the CLI as installed packages run it. esbuild bundles src/cli/main.ts
// into dist/cli/ (each command a lazily loaded chunk) with the `yaml` package inside:
// loading yaml's 72 CommonJS files costs `berth run` and `berth lint` ~10 ms at every
// start. The other dependencies stay in node_modules. The browser assets are copied
// to dist/web/assets/, where the server reads them as it does from src/.
// Usage: node scripts/build.ts [--outdir DIR]   (default: dist)
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/** Bundled into the output; every other dependency is loaded from node_modules. */
const BUNDLED = new Set(['yaml']);
/** Modules of src/web/assets/ that only the server runs. */
const SERVER_ONLY = new Set(['serve.ts', 'palette.ts']);

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(root, 'dist') } } });
const outdir = values.outdir;
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outdir: join(outdir, 'cli'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  external,
  // yaml is CommonJS and requires Node built-ins; ESM output has no `require` of its own.
  banner: {
    js: "import { createRequire as berthRequire } from 'node:module'; const require = berthRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await cp(join(root, 'src/web/assets'), join(outdir, 'web/assets'), {
  recursive: true,
  filter: (source) => !SERVER_ONLY.has(source.split('/').pop() ?? ''),
});
