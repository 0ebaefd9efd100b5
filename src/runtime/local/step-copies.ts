import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from 'pino';
import { SubstitutionLimitError, substituteText } from '../../pipeline/index.ts';
import type { PlannedStep } from '../../pipeline/types.ts';
import { SourceRoot } from '../../source/source-root.ts';
import type { BuildContext } from '../types.ts';
import type { BuildFiles } from './build-files.ts';
import { type CopyItem, copyTree, type SourceTree } from './copy-tree.ts';
import { removeTree } from './remove-tree.ts';

/** A step's own copy of the tree, or why it could not be made. */
export type StepCopy =
  | { ok: true; dir: string; cwd: string }
  | { ok: false; dir: string; reason: 'config' | 'infrastructure'; message: string };

export interface StepCopies {
  /** The copy for `step`, made now or already made ahead. */
  take(step: PlannedStep): Promise<StepCopy>;
  /** Removes a step's copy in the background. */
  release(copy: StepCopy): void;
  /** Waits for every copy being made or removed (before the root goes). */
  settle(): Promise<void>;
}

/**
 * Makes each step's copy of the working tree under `root`, one stage ahead: once a
 * stage's steps are taken and their copies made, the copies of the next stage's
 * steps are started, so copying overlaps the running steps instead of delaying
 * them (and never competes with the copies a stage is about to start with).
 */
export function createStepCopies(
  build: BuildContext,
  root: string,
  source: BuildFiles,
  logger?: Logger,
): StepCopies {
  const stages = build.plan.stages;
  const { files } = source;
  /** The working tree, read once when the first step that takes all of it is copied. */
  const sourceFor = (step: PlannedStep): Promise<SourceTree> => {
    if (step.source.kind === 'files')
      return Promise.resolve({ dir: build.source.dir, entries: new Map(), bytes: 0 });
    return source.tree();
  };
  const made = new Map<PlannedStep, Promise<StepCopy>>();
  const pending = new Set<Promise<unknown>>();
  let count = 0;
  const track = <T>(promise: Promise<T>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
    return promise;
  };
  const make = (step: PlannedStep) => {
    let copy = made.get(step);
    if (!copy) {
      copy = track(copyFor(step, join(root, `step-${++count}`), build, files, sourceFor));
      made.set(step, copy);
    }
    return copy;
  };
  /** Per stage: its copies made (settled); `ahead`: stages whose next stage is scheduled. */
  const stageCopies = new Map<number, Promise<unknown>>();
  const ahead = new Set<number>();
  const makeStage = (index: number) => {
    let ready = stageCopies.get(index);
    if (!ready) {
      ready = Promise.allSettled((stages[index]?.steps ?? []).map(make));
      stageCopies.set(index, ready);
    }
    return ready;
  };
  makeStage(0);
  return {
    take(step) {
      const index = stages.findIndex((stage) => stage.steps.includes(step));
      if (!ahead.has(index)) {
        ahead.add(index);
        void track(makeStage(index).then(() => makeStage(index + 1)));
      }
      const copy = make(step);
      made.delete(step);
      return copy;
    },
    release(copy) {
      track(removeTree(copy.dir)).catch((err) => {
        logger?.warn({ err, dir: copy.dir }, 'could not remove a step copy');
      });
    },
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

async function copyFor(
  step: PlannedStep,
  dir: string,
  build: BuildContext,
  files: string[],
  sourceFor: (step: PlannedStep) => Promise<SourceTree>,
): Promise<StepCopy> {
  const outside =
    step.source.kind === 'files' ? await firstOutside(build.source.dir, step.source.files) : null;
  if (outside)
    return {
      ok: false,
      dir,
      reason: 'config',
      message: `file "${outside.path}" is outside the working tree`,
    };
  try {
    const missing = await copyTree(await sourceFor(step), dir, copyItems(step, build, files));
    if (step.source.kind === 'files' && missing.length > 0) {
      const list = missing.map((p) => `"${p}"`).join(', ');
      return { ok: false, dir, reason: 'config', message: `file ${list} not found in the working tree` };
    }
    const cwd = join(dir, insideRepo(step.workingDir, step.repoDir));
    if (cwd !== dir) await mkdir(cwd, { recursive: true });
    return { ok: true, dir, cwd };
  } catch (error) {
    if (error instanceof SubstitutionLimitError)
      return { ok: false, dir, reason: 'config', message: error.message };
    const message = `could not copy the working tree: ${(error as Error).message}`;
    return { ok: false, dir, reason: 'infrastructure', message };
  }
}

function copyItems(step: PlannedStep, build: BuildContext, files: string[]): CopyItem[] {
  if (step.source.kind === 'repo') return files.map((path) => ({ path }));
  const variables = build.plan.variables;
  return step.source.files.map(({ path, substitute }) =>
    substitute ? { path, transform: (text: string) => substituteText(text, variables, path) } : { path },
  );
}

/** The working directory relative to the repo folder ('' when it is the repo or outside it). */
function insideRepo(workingDir: string, repoDir: string): string {
  const rel = relative(repoDir, workingDir);
  return rel.startsWith('..') || rel.startsWith('/') ? '' : rel;
}

/** The first listed file that is outside the working tree, `..` or through a symlinked folder. */
async function firstOutside(dir: string, files: Array<{ path: string }>) {
  const root = new SourceRoot(dir);
  for (const file of files) if (!(await root.folderInside(file.path))) return file;
  return null;
}
