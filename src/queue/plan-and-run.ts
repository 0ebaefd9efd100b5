import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunBuildOptions } from '../engine/run-build.ts';
import type { BuildResult, Timeouts } from '../engine/types.ts';
import { ConfigError } from '../errors.ts';
import {
  DEFINITION_FILE,
  formatDiagnostic,
  planFromText,
  type ToolImages,
  VARS_FILE,
  varsFromText,
} from '../pipeline/index.ts';
import type { BuildPlan } from '../pipeline/types.ts';
import type { BuildContext, Runtime } from '../runtime/types.ts';
import type { BuildRun, BuildRunner } from './build-runner.ts';
import { KeptPlans } from './kept-plans.ts';
import { stepsToReuse } from './step-reuse.ts';

/** The engine's `runBuild` (src/engine/index.ts), passed in by the composition root. */
export type RunBuildFn = (options: Omit<RunBuildOptions, 'now' | 'logger'>) => Promise<BuildResult>;

export interface PlanAndRunOptions {
  runtime: Runtime;
  runBuild: RunBuildFn;
  /** `berth.dev/instance` of pods (BERTH_INSTANCE). */
  instance: string;
  images: ToolImages;
  wharfVars: Record<string, string>;
  configuredVars: Record<string, string>;
  timeouts: Timeouts;
  logCapBytes: number;
  /** Extra runs of a step after an infrastructure failure (BERTH_INFRA_RETRIES). */
  infraRetries?: number;
  /** Where source folders are made (default: the OS temp folder). */
  workRoot?: string;
}

/**
 * The worker's build runner: reads `.wharf-ci.yml` through the forge adapter, plans it
 * (an invalid file is a ConfigError carrying the diagnostics), fetches the source
 * into a temporary folder and runs the plan with the engine.
 */
export function createPlanAndRun(o: PlanAndRunOptions): BuildRunner {
  const kept = new KeptPlans();
  return async (x) => {
    const dir = await mkdtemp(join(o.workRoot ?? tmpdir(), `berth-${x.id}-`));
    try {
      let sha = x.request.sha ?? null;
      if (!sha) sha = await fetchSource(x, dir);
      // A woken build runs the plan it made before it waited, when this worker made it.
      const before = kept.take(x.id);
      const plan = (x.plannedBefore ? before : null) ?? (await readAndPlan(o, x, sha));
      x.onPlan(plan);
      if (x.request.sha) kept.keep(x.id, plan);
      await x.admit?.(plan.concurrency);
      kept.forget(x.id);
      if (plan.stages.length === 0) return nothingToRun(plan);
      if (x.request.sha) await fetchSource(x, dir);
      const reused = stepsToReuse(x.request, x.earlier, plan, sha);
      const build: BuildContext = {
        id: x.id,
        instance: o.instance,
        repository: { forge: x.request.forge, repo: x.request.repo },
        plan,
        source: { dir, respectGitignore: false },
      };
      return await o.runBuild({
        runtime: o.runtime,
        build,
        sink: x.sink,
        signal: x.signal,
        timeouts: o.timeouts,
        logCapBytes: o.logCapBytes,
        ...(reused ? { reused } : {}),
        ...(o.infraRetries !== undefined ? { infraRetries: o.infraRetries } : {}),
        onEvent: x.onEvent,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** A plan without stages: a success that says why nothing ran (the status shows the message). */
function nothingToRun(plan: BuildPlan): BuildResult {
  const now = new Date().toISOString();
  const message = `nothing to run: ${plan.nothingRuns ?? 'no stage runs'}`;
  return { status: 'success', reason: null, message, startedAt: now, finishedAt: now, stages: [] };
}

async function fetchSource(x: BuildRun, dir: string): Promise<string> {
  const { sha } = await x.adapter.source.fetch(x.request, dir, x.signal);
  x.onSource(sha);
  return sha;
}

/** Reads `.wharf-ci.yml` at `sha` and plans it. */
async function readAndPlan(o: PlanAndRunOptions, x: BuildRun, sha: string): Promise<BuildPlan> {
  const text = await x.adapter.readFile({ ...x.request, sha }, DEFINITION_FILE, x.signal);
  if (text === null) throw new ConfigError(`${DEFINITION_FILE} not found at ${sha.slice(0, 12)}`);
  return planFor(o, x, text, sha);
}

/**
 * Plans the file with the build variables (the forge's facts above WHARF_VAR_*), the
 * repository's own `.wharf-vars.yml` at the same commit when it has one, and last what
 * the adapter can only guess (wharf-ci-format.md, Variables).
 */
async function planFor(o: PlanAndRunOptions, x: BuildRun, text: string, sha: string) {
  const [vars, varsText] = await Promise.all([
    x.adapter.variables(x.request, sha, x.signal),
    x.adapter.readFile({ ...x.request, sha }, VARS_FILE, x.signal),
  ]);
  const varsFile = varsText === null ? null : varsFromText(varsText, VARS_FILE);
  const planned = planFromText(text, {
    file: DEFINITION_FILE,
    ...(x.request.environment ? { environment: x.request.environment } : {}),
    inputs: x.request.inputs,
    images: o.images,
    buildVars: { ...vars, BUILD_REF: String(x.buildRef) },
    wharfVars: o.wharfVars,
    configuredVars: o.configuredVars,
    varsFiles: varsFile ? [varsFile.vars] : [],
    estimatedVars: x.adapter.estimatedVariables?.(x.request) ?? {},
  });
  const diagnostics = [...(varsFile?.diagnostics ?? []), ...planned.diagnostics];
  const plan = diagnostics.some((d) => d.severity === 'error') ? null : planned.plan;
  // A build planned before (it waited for its slots) has these lines in its log already;
  // errors now (its folder changed meanwhile) are new.
  for (const d of x.plannedBefore && plan ? [] : diagnostics) {
    x.sink.append({ stage: '', step: '', stream: 'system', time: Date.now(), text: formatDiagnostic(d) });
  }
  if (!plan) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const files = [...new Set(errors.map((d) => d.file))];
    const what = `${files.join(' and ')} ${files.length > 1 ? 'are' : 'is'} invalid`;
    throw new ConfigError(`${what}:\n${errors.map(formatDiagnostic).join('\n')}`);
  }
  return plan;
}
