import type { BuildRecord, StepRecord } from '../builds/types.ts';
import type { StepKey } from '../logs/types.ts';
import {
  diagnosticsFromText,
  renderConfigErrors,
  renderSummary,
  type StepTail,
  SUMMARY_MARKER,
} from '../report/summary.ts';
import { repoRefOf } from './repo-ref.ts';
import type { ReportState, ShownSummary } from './report-state.ts';
import type { Forge } from './types.ts';

/** The last `lines` lines of one step's log (already redacted). */
export type TailFn = (buildId: string, step: StepKey, lines: number) => Promise<string[]>;

/** What the summary comment needs from the reporter. */
export interface SummaryDeps {
  state: ReportState;
  tail: TailFn;
  publicUrl: string | null;
  /** Maximum comment size: GITHUB_COMMENT_MAX or GITLAB_NOTE_MAX. */
  commentMax: number;
  /** Log lines per failed step (default 30). */
  tailLines?: number;
}

/** The PR/MR summary comment when a build fails or errors (updated to "passed" later). */
export async function writeSummary(
  deps: SummaryDeps,
  forge: Forge,
  record: BuildRecord,
  change: number,
  signal?: AbortSignal,
) {
  const broken = record.status === 'failed' || record.status === 'error';
  if (!broken && record.status !== 'success') return;
  const key = `${record.request.forge}:${record.request.repo}:${change}`;
  await deps.state.locked(`summary:${key}`, async () => {
    if (!needsSummary(await deps.state.summaryOf(key), record)) return;
    const options = { publicUrl: deps.publicUrl, max: deps.commentMax };
    const diagnostics = record.reason === 'config' ? diagnosticsFromText(record.message ?? '') : [];
    const body =
      diagnostics.length > 0
        ? renderConfigErrors(record, diagnostics, options)
        : renderSummary(record, broken ? await tailsOf(deps, record) : [], options);
    await forge.upsertComment(repoRefOf(record.request), change, { marker: SUMMARY_MARKER, body }, signal);
    await deps.state.saveSummary(key, {
      buildId: record.id,
      status: record.status,
      createdAt: record.createdAt,
    });
  });
}

/**
 * A failure is shown unless the comment already shows it or a newer build; a pass
 * only replaces a comment that shows a failure of an older build.
 */
function needsSummary(shown: ShownSummary | null, record: BuildRecord): boolean {
  if (
    shown &&
    (shown.createdAt > record.createdAt || (shown.buildId === record.id && shown.status === record.status))
  ) {
    return false;
  }
  return record.status !== 'success' || (shown !== null && shown.status !== 'success');
}

/** The log tails of the build's failed and errored steps. */
export async function tailsOf(
  deps: Pick<SummaryDeps, 'tail' | 'tailLines'>,
  record: BuildRecord,
): Promise<StepTail[]> {
  const failed = record.stages.flatMap((stage) =>
    stage.steps
      .filter((s: StepRecord) => s.status === 'failed' || s.status === 'error')
      .map((s) => ({ stage: stage.name, step: s.name })),
  );
  return Promise.all(
    failed.map(async (key) => ({
      ...key,
      lines: await deps.tail(record.id, key, deps.tailLines ?? 30).catch(() => []),
    })),
  );
}
