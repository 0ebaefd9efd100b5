import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './engine.ts';

const run = promisify(execFile);
const BERTH = new URL('../../bin/berth.js', import.meta.url).pathname;

/** A temp git repo holding `definition` as its .wharf-ci.yml. */
export async function fixtureRepo(definition: string) {
  const repo = await tempDir('berth-repo-');
  await run('git', ['init', '-q', repo.dir]);
  await writeFile(join(repo.dir, '.wharf-ci.yml'), definition);
  return repo;
}

/** Starts `berth ARGS` in `cwd` with a clean environment (own HOME and TMPDIR). */
export function startBerth(
  args: string[],
  cwd: string,
  home: string,
  extraEnv: Record<string, string> = {},
): ChildProcess & { output(): string } {
  const env = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: home, ...extraEnv };
  const child = spawn(process.execPath, [BERTH, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return Object.assign(child, { output: () => output });
}

/** Runs `berth ARGS` to the end: exit code and everything printed. */
export async function berth(
  args: string[],
  cwd: string,
  home: string,
  extraEnv: Record<string, string> = {},
) {
  const child = startBerth(args, cwd, home, extraEnv);
  return { code: await exited(child), output: child.output() };
}

/** The exit code once `child` has ended (null when killed by a signal). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

/** Resolves once `child` printed `text`. */
export function printed(child: ReturnType<typeof startBerth>, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (child.output().includes(text)) resolve();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('close', () => reject(new Error(`exited before printing ${text}: ${child.output()}`)));
    check();
  });
}
