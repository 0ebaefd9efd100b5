import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunBuildOptions, runBuild } from '../../src/engine/index.ts';
import type { BuildEvent } from '../../src/engine/types.ts';
import type { BuildPlan } from '../../src/pipeline/types.ts';
import { createLocalRuntime } from '../../src/runtime/local/index.ts';
import { memorySink } from './memory-sink.ts';

/** A temp folder removed by the returned function. */
export async function tempDir(prefix = 'berth-test-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `plan` on the local runtime over an empty source folder: the result, log, events and temp leftovers. */
export async function runLocal(plan: BuildPlan, overrides: Partial<RunBuildOptions> = {}) {
  const source = await tempDir('berth-src-');
  const work = await tempDir('berth-work-');
  const sink = memorySink();
  const events: BuildEvent[] = [];
  try {
    const result = await runBuild({
      runtime: createLocalRuntime({
        killGraceMs: 500,
        workDir: work.dir,
        hostEnv: { PATH: process.env.PATH },
      }),
      build: { id: 'b1', instance: 'test', plan, source: { dir: source.dir, respectGitignore: false } },
      sink,
      signal: new AbortController().signal,
      timeouts: { stepMs: 30_000, buildMs: 60_000, cleanupMs: 10_000 },
      logCapBytes: 1024 * 1024,
      onEvent: (event) => events.push(event),
      ...overrides,
    });
    return { result, sink, events, leftovers: await readdir(work.dir) };
  } finally {
    await source.remove();
    await work.remove();
  }
}

/** `stage/step → status` of every step. */
export const statuses = (result: Awaited<ReturnType<typeof runBuild>>) =>
  Object.fromEntries(
    result.stages.flatMap((s) => s.steps.map((step) => [`${s.name}/${step.name}`, step.status])),
  );
