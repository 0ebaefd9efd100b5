// Engine overhead: 200 steps of `true` through `berth run` (local runtime) against
// the same 200 commands spawned directly by a bare Node script with the same
// shape (stages in order, steps of a stage in parallel). Run by hand:
//   . scripts/use-node.sh && node bench/engine.ts [stages] [stepsPerStage] [rounds]
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const stages = Number(process.argv[2] ?? 20);
const perStage = Number(process.argv[3] ?? 10);
const rounds = Number(process.argv[4] ?? 5);
const berth = new URL('../bin/berth.js', import.meta.url).pathname;

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

async function time(file: string, args: string[], cwd: string): Promise<number> {
  const started = process.hrtime.bigint();
  await run(file, args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, BERTH_RUNTIME: 'local' },
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const repo = await mkdtemp(join(tmpdir(), 'berth-bench-'));
try {
  spawnSync('git', ['init', '-q', repo]);
  await writeFile(join(repo, '.wharf-ci.yml'), definition());
  await writeFile(join(repo, 'README.md'), 'bench\n');
  const berthTimes: number[] = [];
  const directTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    berthTimes.push(await time(process.execPath, [berth, 'run', repo], repo));
    directTimes.push(
      await time(process.execPath, ['-e', DIRECT, String(stages), String(perStage), repo], repo),
    );
  }
  const b = median(berthTimes);
  const d = median(directTimes);
  const steps = stages * perStage;
  console.log(
    `${steps} steps of \`true\` (${stages} stages x ${perStage} parallel steps), median of ${rounds} rounds`,
  );
  console.log(`berth run (local runtime): ${b.toFixed(0)} ms`);
  console.log(`direct spawn:              ${d.toFixed(0)} ms`);
  console.log(`ratio:                     ${(b / d).toFixed(2)}x`);
  console.log(`overhead per step:         ${((b - d) / steps).toFixed(2)} ms`);
} finally {
  await rm(repo, { recursive: true, force: true });
}
