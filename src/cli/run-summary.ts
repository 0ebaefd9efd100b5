import { formatDuration } from '../engine/stop.ts';
import type { BuildResult, StepResult } from '../engine/types.ts';
import type { FinalStatus } from '../vocab/index.ts';

const COLOURS: Record<FinalStatus, number> = {
  success: 32,
  failed: 31,
  error: 31,
  cancelled: 33,
  skipped: 2,
};

/** The end-of-run table: stage, step, status, duration, exit code or reason; then one verdict line. */
export function renderSummary(result: BuildResult, color: boolean): string {
  const paint = (status: FinalStatus, text: string) =>
    color ? `\x1b[${COLOURS[status]}m${text}\x1b[0m` : text;
  const rows = result.stages.flatMap((stage) => stage.steps.map((step) => row(step)));
  const header = ['STAGE', 'STEP', 'STATUS', 'DURATION', 'RESULT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]?.length ?? 0)));
  const line = (cells: string[], status?: FinalStatus) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        return status && i === 2 ? paint(status, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const table = [line(header), ...rows.map((r) => line(r.cells, r.status))];
  const took = formatDuration(elapsed(result.startedAt, result.finishedAt) ?? 0);
  const verdict =
    result.status === 'success'
      ? `build succeeded in ${took}`
      : `build ${result.status} after ${took}: ${result.message ?? result.reason ?? 'no detail'}`;
  return `${table.join('\n')}\n\n${paint(result.status, verdict)}\n`;
}

function row(step: StepResult) {
  const ms = elapsed(step.startedAt, step.finishedAt);
  const outcome =
    step.exitCode !== null && step.reason !== 'timeout' ? `exit ${step.exitCode}` : (step.reason ?? '');
  return {
    status: step.status === 'reused' ? ('success' as const) : step.status,
    cells: [step.stage, step.name, step.status, ms === null ? '-' : formatDuration(ms), outcome || '-'],
  };
}

function elapsed(from: string | null, to: string | null): number | null {
  return from && to ? Date.parse(to) - Date.parse(from) : null;
}
