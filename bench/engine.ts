// Engine overhead: 200 steps of `true` through `berth run` (local runtime) against
// the same 200 commands spawned directly by a bare Node script with the same shape
// (stages in order, the steps of a stage in parallel). Measures the CLI as installed
// (bundled, as `npm run build` makes it) and as run from the TypeScript sources.
// Run by hand:  . scripts/use-node.sh && node bench/engine.ts [stages] [stepsPerStage] [rounds]
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtPackage } from '../test/support/built-package.ts';

const run = promisify(execFile);
const stages = Number(process.argv[2] ?? 20);
const perStage = Number(process.argv[3] ?? 10);
const rounds = Number(process.argv[4] ?? 5);
const root = new URL('..', import.meta.url).pathname;

const DIRECT = `
const { spawn } = require('node:child_process');
const [stages, perStage, cwd] = process.argv.slice(1).map((v, i) => (i < 2 ? Number(v) : v));
const one = () => new Promise((resolve, reject) => {
  const child = spawn('/bin/sh', ['-c', 'true'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', reject);
  child.on('close', (code) => (code === 0 ? resolve() : reject(new Error('exit ' + code))));
});
(async () => {
  for (let s = 0; s < stages; s++) await Promise.all(Array.from({ length: perStage }, one));
})();
`;

function definition(): string {
  const lines: string[] = [];
  for (let s = 0; s < stages; s++) {
    lines.push(`stage-${s}:`);
    for (let t = 0; t < perStage; t++) {
      lines.push(
        `  step-${t}:`,
        '    container:',
        '      image: alpine:3.20',
        '      cmds:',
        '        - "true"',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function time(args: string[], cwd: string): Promise<number> {
  const started = process.hrtime.bigint();
  const env = { ...process.env, BERTH_RUNTIME: 'local' };
  await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024, env });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const work = await mkdtemp(join(tmpdir(), 'berth-bench-'));
try {
  const repo = join(work, 'repo');
  await mkdir(repo);
  spawnSync('git', ['init', '-q', repo]);
  await writeFile(join(repo, '.wharf-ci.yml'), definition());
  await writeFile(join(repo, 'README.md'), 'bench\n');
  const compiled = await builtPackage(join(work, 'pkg'));
  const variants: Record<string, string[]> = {
    'berth run, built': [compiled, 'run', repo],
    'berth run, from .ts sources': [join(root, 'bin/berth.js'), 'run', repo],
    direct: ['-e', DIRECT, String(stages), String(perStage), repo],
  };
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, [] as number[]]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, args] of Object.entries(variants)) times[name]?.push(await time(args, repo));
  }
  const direct = median(times.direct ?? []);
  const steps = stages * perStage;
  console.log(
    `${steps} steps of \`true\` (${stages} stages x ${perStage} parallel steps), median of ${rounds} rounds`,
  );
  for (const [name, values] of Object.entries(times)) {
    const ms = median(values);
    const extra =
      name === 'direct'
        ? ''
        : `  ratio ${(ms / direct).toFixed(2)}x, ${((ms - direct) / steps).toFixed(2)} ms/step`;
    console.log(`${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms${extra}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
