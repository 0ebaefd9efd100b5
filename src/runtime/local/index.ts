import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';
import { substituteText } from '../../pipeline/index.ts';
import type { PlannedStep } from '../../pipeline/types.ts';
import { listSourceFiles } from '../../source/list-files.ts';
import type { BuildContext, Runtime, RuntimeSession, StepIO, StepOutcome } from '../types.ts';
import { type CopyItem, copyTree } from './copy-tree.ts';
import { isOnPath } from './find-tool.ts';
import { killGroup, runInGroup } from './process-group.ts';
import { localNotes } from './step-notes.ts';

export interface LocalRuntimeOptions {
  logger?: Logger;
  /** Where step copies go (default: the OS temp folder). */
  tmpDir?: string;
  /** Time between SIGTERM and SIGKILL when a step is stopped. */
  killGraceMs: number;
  /** PATH and HOME for steps (the CLI passes its environment); a plain PATH otherwise. */
  hostEnv?: { PATH?: string | undefined; HOME?: string | undefined };
}

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Runs each step as a process group on this machine, in its own copy of the working tree. */
export function createLocalRuntime(options: LocalRuntimeOptions): Runtime {
  return {
    kind: 'local',
    async open(build) {
      const root = await mkdtemp(join(options.tmpDir ?? tmpdir(), `berth-${build.id}-`));
      try {
        const files = await listSourceFiles(build.source.dir, {
          respectGitignore: build.source.respectGitignore,
        });
        return openSession(build, root, files, options);
      } catch (error) {
        await rm(root, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

function openSession(build: BuildContext, root: string, files: string[], options: LocalRuntimeOptions) {
  const groups = new Set<number>();
  const track = (pgid: number, running: boolean) => (running ? groups.add(pgid) : groups.delete(pgid));
  const host = { PATH: options.hostEnv?.PATH ?? DEFAULT_PATH, HOME: options.hostEnv?.HOME ?? root };
  let count = 0;
  const session: RuntimeSession = {
    async runStep(step, io, signal) {
      const dir = join(root, `step-${++count}`);
      try {
        return await runLocalStep(step, { build, files, dir, io, signal, host, track, options });
      } finally {
        await rm(dir, { recursive: true, force: true }).catch((err) => {
          options.logger?.warn({ err, dir }, 'could not remove a step copy');
        });
      }
    },
    async cleanup() {
      for (const pgid of groups) killGroup(pgid, 'SIGKILL');
      await rm(root, { recursive: true, force: true });
    },
  };
  return session;
}

interface StepRun {
  build: BuildContext;
  files: string[];
  dir: string;
  io: StepIO;
  signal: AbortSignal;
  host: { PATH: string; HOME: string };
  track: (pgid: number, running: boolean) => void;
  options: LocalRuntimeOptions;
}

async function runLocalStep(step: PlannedStep, run: StepRun): Promise<StepOutcome> {
  for (const note of localNotes(step)) run.io.output.line('system', note);
  const env = { ...run.host, ...step.env };
  for (const tool of step.type === 'container' ? [] : step.tools) {
    if (!(await isOnPath(tool, env.PATH))) {
      return {
        status: 'error',
        reason: 'config',
        message: `requires "${tool}" on PATH; use --runtime kubernetes`,
      };
    }
  }
  const missing = await copyTree(run.build.source.dir, run.dir, copyItems(step, run));
  if (step.source.kind === 'files' && missing.length > 0) {
    const list = missing.map((p) => `"${p}"`).join(', ');
    return { status: 'error', reason: 'config', message: `file ${list} not found in the working tree` };
  }
  const cwd = join(run.dir, insideRepo(step.workingDir, step.repoDir));
  await mkdir(cwd, { recursive: true });
  if (run.signal.aborted) return { status: 'cancelled', message: 'stopped before it started' };
  const { killGraceMs } = run.options;
  return runInGroup(step.command, {
    cwd,
    env,
    output: run.io.output,
    signal: run.signal,
    killGraceMs,
    track: run.track,
  });
}

function copyItems(step: PlannedStep, run: StepRun): CopyItem[] {
  if (step.source.kind === 'repo') return run.files.map((path) => ({ path }));
  const variables = run.build.plan.variables;
  return step.source.files.map(({ path, substitute }) =>
    substitute ? { path, transform: (text: string) => substituteText(text, variables) } : { path },
  );
}

/** The working directory relative to the repo folder ('' when it is the repo or outside it). */
function insideRepo(workingDir: string, repoDir: string): string {
  const rel = relative(repoDir, workingDir);
  return rel.startsWith('..') || rel.startsWith('/') ? '' : rel;
}
