import type { Config } from '../config/load.ts';
import { runBuild } from '../engine/run-build.ts';
import type { BuildEvent } from '../engine/types.ts';
import { createConsoleSink } from '../logs/console-sink.ts';
import type { BuildPlan } from '../pipeline/types.ts';
import type { Runtime } from '../runtime/types.ts';
import type { CliContext } from './command.ts';
import { renderSummary } from './run-summary.ts';
import { cliInstance, namespaceText } from './runtime-choice.ts';

/** A planned build of a working tree, ready to run. */
export interface LocalBuild {
  plan: BuildPlan;
  /** The .wharf-ci.yml that was planned. */
  file: string;
  repoDir: string;
  respectGitignore: boolean;
  runtime: Runtime;
  config: Readonly<Config>;
}

/** Runs the build with live prefixed logs and a summary table; returns the exit code. */
export async function executePlan(ctx: CliContext, build: LocalBuild): Promise<number> {
  const color = Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR;
  const sink = createConsoleSink(ctx.stdout, { color });
  if (build.plan.stages.length === 0) {
    sink.note(`berth: ${build.file}: nothing to run: ${build.plan.nothingRuns ?? 'no stage runs'}`);
    await sink.flush();
    return 0;
  }
  const steps = build.plan.stages.reduce((sum, stage) => sum + stage.steps.length, 0);
  sink.note(
    `berth: ${build.file}: ${plural(build.plan.stages.length, 'stage')}, ${plural(steps, 'step')}, ${build.runtime.kind} runtime${namespaceText(build.runtime)}`,
  );
  const result = await runBuild({
    runtime: build.runtime,
    build: {
      id: `run-${runId()}`,
      // Not the bot's instance: a worker's reaper in the same namespace would take these pods for orphans.
      instance: cliInstance(build.config.instance),
      plan: build.plan,
      source: { dir: build.repoDir, respectGitignore: build.respectGitignore },
    },
    sink,
    signal: ctx.signal,
    timeouts: build.config.timeouts,
    logCapBytes: build.config.logCapBytes,
    infraRetries: build.config.infraRetries,
    onEvent: (event) => announce(event, sink.note),
  });
  sink.note(`\n${renderSummary(result, color)}`.trimEnd());
  await sink.flush();
  if (result.status === 'success') return 0;
  return result.status === 'cancelled' && ctx.signal.aborted ? 130 : 1;
}

function announce(event: BuildEvent, note: (text: string) => void) {
  if (event.type === 'stage-started') note(`── stage ${event.stage} (${event.index + 1}/${event.total})`);
  if (event.type === 'stage-finished' && event.result.status === 'skipped') {
    note(`── stage ${event.result.name}: skipped`);
  }
}

/** 8 hex digits: unique enough for temp folders and pod names, without loading node:crypto (~5 ms). */
const runId = () =>
  Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
