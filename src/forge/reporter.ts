import type { Logger } from 'pino';
import type { BuildRecord, BuildRequest, StepRecord } from '../builds/types.ts';
import type { StepKey } from '../logs/types.ts';
import { statusOf } from '../report/status.ts';
import {
  diagnosticsFromText,
  renderConfigErrors,
  renderSummary,
  type StepTail,
  SUMMARY_MARKER,
} from '../report/summary.ts';
import { repoRefOf } from './repo-ref.ts';
import { progressRank, type ReportState, type ShownSummary, shouldWrite } from './report-state.ts';
import type { BuildReporter, Forge } from './types.ts';

/** The last `lines` lines of one step's log (already redacted). */
export type TailFn = (buildId: string, step: StepKey, lines: number) => Promise<string[]>;

/** What the neutral reporter writes through. */
export interface ReporterDeps {
  /** The forge client for the request's installation / project. */
  forgeFor(request: BuildRequest): Forge | Promise<Forge>;
  state: ReportState;
  tail: TailFn;
  publicUrl: string | null;
  /** Maximum comment size: GITHUB_COMMENT_MAX or GITLAB_NOTE_MAX. */
  commentMax: number;
  logger: Logger;
  /** Log lines per failed step in the summary (default 30). */
  tailLines?: number;
}

/**
 * The forge-neutral BuildReporter: the commit status when its text changed, and the
 * PR/MR summary comment when a build fails or errors (updated to "passed" later).
 * Reporting errors are logged, never thrown: they must not fail the build.
 */
export function createBuildReporter(deps: ReporterDeps): BuildReporter {
  return {
    async report(record, signal) {
      const sha = record.sha ?? record.request.sha;
      if (!sha) return;
      const log = deps.logger.child({ build: record.id });
      let forge: Forge;
      try {
        forge = await deps.forgeFor(record.request);
      } catch (err) {
        log.warn({ err }, 'no forge client for the build');
        return;
      }
      await guard(log, 'status', () => writeStatus(deps, forge, record, sha, signal));
      if (record.request.change !== undefined) {
        await guard(log, 'comment', () => writeSummary(deps, forge, record, record.request.change!, signal));
      }
    },
  };
}

/** One reporter that runs several (statuses and comments, check runs) side by side. */
export function combineReporters(...reporters: BuildReporter[]): BuildReporter {
  return {
    async report(record, signal) {
      await Promise.all(reporters.map((r) => r.report(record, signal)));
    },
  };
}

async function guard(log: Logger, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    log.warn({ err, what, status }, 'report not written');
  }
}

async function writeStatus(
  deps: ReporterDeps,
  forge: Forge,
  record: BuildRecord,
  sha: string,
  signal?: AbortSignal,
) {
  const status = statusOf(record, deps.publicUrl);
  const key = `${record.request.forge}:${record.request.repo}:${sha}:${record.context}`;
  await deps.state.locked(`status:${key}`, async () => {
    const next = {
      buildId: record.id,
      createdAt: record.createdAt,
      rank: progressRank(record),
      text: `${status.state} ${status.description}`,
    };
    const previous = await deps.state.lastStatus(key);
    if (!shouldWrite(previous, next)) return;
    if (record.status === 'running' && previous?.buildId !== record.id) {
      // A worker may start a build before ingress reported it queued: show it queued first.
      const queued = statusOf({ ...record, status: 'queued' }, deps.publicUrl);
      await forge.setStatus(repoRefOf(record.request), sha, queued, signal);
    }
    await forge.setStatus(repoRefOf(record.request), sha, status, signal);
    await deps.state.saveStatus(key, next);
  });
}

async function writeSummary(
  deps: ReporterDeps,
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

async function tailsOf(deps: ReporterDeps, record: BuildRecord): Promise<StepTail[]> {
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
