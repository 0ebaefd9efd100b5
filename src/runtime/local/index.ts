import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PlannedStep } from '../../pipeline/types.ts';
import type { BuildContext, BuildSource, Runtime, RuntimeSession, StepIO, StepOutcome } from '../types.ts';
import { type BuildFiles, listBuildFiles, prefetchBuildFiles } from './build-files.ts';
import { createExitGuard, type ExitGuard } from './exit-guard.ts';
import { isOnPath } from './find-tool.ts';
import type { Launcher } from './launcher.ts';
import { createLauncherPool, launcherCount } from './launcher-pool.ts';
import { killGroup, runInGroup } from './process-group.ts';
import { createStepCopies, type StepCopy } from './step-copies.ts';
import { localNotes } from './step-notes.ts';
import { defaultWorkDir } from './work-dir.ts';

export interface LocalRuntimeOptions {
  logger?: Logger;
  /** Where step copies go (default: /dev/shm when it suits, else the OS temp folder; see work-dir.ts). */
  workDir?: string;
  /** Time between SIGTERM and SIGKILL when a step is stopped. */
  killGraceMs: number;
  /** PATH and HOME for steps (the CLI passes its environment); a plain PATH otherwise. */
  hostEnv?: { PATH?: string | undefined; HOME?: string | undefined };
  /**
   * Start the first build's launchers now, so they boot while the pipeline is planned
   * (`berth run`, which opens one build right away; a worker would keep idle ones).
   * Otherwise each build starts as many as its widest stage can use.
   */
  startLaunchers?: boolean;
}

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Runs each step as a process group on this machine, in its own copy of the working tree. */
export function createLocalRuntime(options: LocalRuntimeOptions): Runtime {
  let early = options.startLaunchers ? createLauncherPool() : null;
  const guard = createExitGuard();
  let prepared: { source: BuildSource; files: Promise<BuildFiles> } | null = null;
  const sameSource = (a: BuildSource, b: BuildSource) =>
    a.dir === b.dir && a.respectGitignore === b.respectGitignore;
  return {
    kind: 'local',
    prepare(source, signal) {
      const files = prefetchBuildFiles(source, signal);
      files.catch(() => {});
      prepared = { source, files };
    },
    async open(build) {
      const width = Math.max(...build.plan.stages.map((stage) => stage.steps.length), 1);
      const launcher = early ?? createLauncherPool(launcherCount(width));
      early = null;
      const ahead = prepared && sameSource(prepared.source, build.source) ? prepared.files : null;
      prepared = null;
      let root: string | null = null;
      try {
        const files = await (ahead ?? listBuildFiles(build.source));
        const dir = options.workDir ?? defaultWorkDir(await copiesBytes(build, files, width));
        root = await mkdtemp(join(dir, `berth-${build.id}-`));
        // Should Berth die (SIGKILL, a forced exit), the launcher still removes the copies.
        launcher.own(root);
        return openSession(build, { root, files, launcher, guard }, options);
      } catch (error) {
        if (root) await rm(root, { recursive: true, force: true });
        launcher.close();
        throw error;
      }
    },
  };
}

/**
 * One build's steps. Its running step groups are known to the runtime's exit guard,
 * so even a forced exit (second Ctrl-C) leaves nothing behind.
 */
function openSession(
  build: BuildContext,
  { root, files, launcher, guard }: { root: string; files: BuildFiles; launcher: Launcher; guard: ExitGuard },
  options: LocalRuntimeOptions,
) {
  const groups = new Set<number>();
  const imagesNoted = new Set<string>();
  const track = (pgid: number, running: boolean) => {
    if (running) groups.add(pgid);
    else groups.delete(pgid);
    guard.track(pgid, running);
  };
  const host = { PATH: options.hostEnv?.PATH ?? DEFAULT_PATH, HOME: options.hostEnv?.HOME ?? root };
  const copies = createStepCopies(build, root, files, options.logger);
  const session: RuntimeSession = {
    async runStep(step, io, signal) {
      const copy = await copies.take(step);
      try {
        return await runLocalStep(step, { copy, io, signal, host, track, launcher, options, imagesNoted });
      } finally {
        copies.release(copy);
      }
    },
    async cleanup() {
      for (const pgid of groups) {
        killGroup(pgid, 'SIGKILL');
        track(pgid, false);
      }
      await copies.settle();
      await rm(root, { recursive: true, force: true });
      // Only now: a launcher let go while the copies exist would remove them too.
      launcher.close();
    },
  };
  return session;
}

/** Most bytes of working-tree copies on disk at once: two stages' worth (see step-copies.ts). */
async function copiesBytes(build: BuildContext, files: BuildFiles, width: number): Promise<number> {
  const takesTree = build.plan.stages.some((stage) =>
    stage.steps.some((step) => step.source.kind === 'repo'),
  );
  return takesTree ? (await files.tree()).bytes * 2 * width : 0;
}

interface StepRun {
  copy: StepCopy;
  io: StepIO;
  signal: AbortSignal;
  host: { PATH: string; HOME: string };
  track: (pgid: number, running: boolean) => void;
  launcher: Launcher;
  options: LocalRuntimeOptions;
  /** Images whose "not used" note this build has already written. */
  imagesNoted: Set<string>;
}

async function runLocalStep(step: PlannedStep, run: StepRun): Promise<StepOutcome> {
  for (const note of localNotes(step, run.imagesNoted)) run.io.output.line('system', note);
  const env = { ...run.host, ...step.env };
  for (const tool of step.type === 'container' ? [] : step.tools) {
    if (!(await isOnPath(tool, env.PATH))) {
      const message = `requires "${tool}" on PATH; use --runtime kubernetes`;
      return { status: 'error', reason: 'config', message };
    }
  }
  const { copy } = run;
  if (!copy.ok) return { status: 'error', reason: copy.reason, message: copy.message };
  if (run.signal.aborted) return { status: 'cancelled', message: 'stopped before it started' };
  const { launcher, signal, track } = run;
  const { killGraceMs } = run.options;
  const output = run.io.output;
  return runInGroup(step.command, { launcher, cwd: copy.cwd, env, output, signal, killGraceMs, track });
}
