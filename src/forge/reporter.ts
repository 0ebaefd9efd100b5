import type { Logger } from 'pino';
import type { BuildRecord } from '../builds/types.ts';
import { DEFINITION_FILE } from '../pipeline/index.ts';
import {
  contextFor,
  describe,
  noPipelineStatus,
  skippedStatus,
  statusOf,
  waitingStatus,
} from '../report/status.ts';
import type { StepTail } from '../report/summary.ts';
import type { CommitStatus } from '../vocab/index.ts';
import { repoRefOf } from './repo-ref.ts';
import { progressRank, shouldWrite, type WrittenStatus } from './report-state.ts';
import { type SummaryDeps, tailsOf, writeSummary } from './report-summary.ts';
import type { BuildReporter, CommitNotice, Forge, ReportTarget } from './types.ts';

export type { TailFn } from './report-summary.ts';

/** Writes a build's check run (GitHub) for the reporter, which decides when, under its lock. */
export interface CheckRunWriter {
  /**
   * Creates the check run (`previous` null) or updates check run `previous`, with the
   * log tails of failed steps once the build ended. Returns its id, or null when the
   * installation takes no check runs (it then has commit statuses only).
   */
  write(
    record: BuildRecord,
    sha: string,
    previous: number | null,
    tails: StepTail[],
    signal?: AbortSignal,
  ): Promise<number | null>;
}

/** What the reporter writes through. */
export interface ReporterDeps extends SummaryDeps {
  /** The forge client for a repository (fork-aware where the forge needs it). */
  forgeFor(target: ReportTarget): Forge | Promise<Forge>;
  /** Check runs, on forges that have them (GitHub). */
  checks?: CheckRunWriter;
  logger: Logger;
}

/**
 * The one gate for everything Berth shows on a commit or PR/MR: commit statuses (of
 * builds, and the policy's notices), check runs and the summary comment. Each write is
 * decided under a Redis lock of its status context / check run / comment and only made
 * when it is newer than what is shown. Build reports never throw (a failed write must
 * not fail the build); notices throw, so the delivery that asked for one is retried.
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
      const change = record.request.change;
      await Promise.all([
        (async () => {
          await guard(log, 'status', () => writeBuildStatus(deps, forge, record, sha, signal));
          if (change !== undefined)
            await guard(log, 'comment', () => writeSummary(deps, forge, record, change, signal));
        })(),
        guard(log, 'check run', () => writeCheck(deps, record, sha, signal)),
      ]);
    },
    async notice(notice, signal) {
      const forge = await deps.forgeFor(notice.target);
      const status = { ...NOTICES[notice.kind](), ref: notice.ref };
      const next = {
        buildId: `notice:${notice.kind}`,
        createdAt: notice.at,
        rank: FINAL_RANK,
        text: `${status.state} ${status.description}`,
      };
      await gate(deps, statusKey(notice.target, notice.sha, status.context), next, () =>
        forge.setStatus(repoRefOf(notice.target), notice.sha, status, signal),
      );
    },
  };
}

const NOTICES: Record<CommitNotice['kind'], () => CommitStatus> = {
  waiting: () => waitingStatus(contextFor()),
  skipped: () => skippedStatus(contextFor()),
  'no-pipeline': () => noPipelineStatus(DEFINITION_FILE, contextFor()),
};

/** A notice is as final as a finished build: only something newer replaces it. */
const FINAL_RANK = 1000;

const statusKey = (target: ReportTarget, sha: string, context: string) =>
  `${target.forge}:${target.repo}:${sha}:${context}`;

/** Writes `next` to status context `key` when it is newer than what was written last, under its lock. */
async function gate(
  deps: ReporterDeps,
  key: string,
  next: WrittenStatus,
  write: (previous: WrittenStatus | null) => Promise<void>,
): Promise<void> {
  await deps.state.locked(`status:${key}`, async () => {
    const previous = await deps.state.lastStatus(key);
    if (!shouldWrite(previous, next)) return;
    await write(previous);
    await deps.state.saveStatus(key, next);
  });
}

async function writeBuildStatus(
  deps: ReporterDeps,
  forge: Forge,
  record: BuildRecord,
  sha: string,
  signal?: AbortSignal,
) {
  const status = statusOf(record, deps.publicUrl);
  const next = {
    buildId: record.id,
    createdAt: record.createdAt,
    rank: progressRank(record),
    text: `${status.state} ${status.description}`,
  };
  const repo = repoRefOf(record.request);
  await gate(deps, statusKey(record.request, sha, record.context), next, async (previous) => {
    if (record.status === 'running' && previous?.buildId !== record.id) {
      // A worker may start a build before ingress reported it queued: show it queued first.
      await forge.setStatus(repo, sha, statusOf({ ...record, status: 'queued' }, deps.publicUrl), signal);
    }
    await forge.setStatus(repo, sha, status, signal);
  });
}

/** The build's check run, when the forge has them: never back to an earlier stage, only on change. */
async function writeCheck(deps: ReporterDeps, record: BuildRecord, sha: string, signal?: AbortSignal) {
  const checks = deps.checks;
  if (!checks) return;
  const final = record.status !== 'queued' && record.status !== 'running';
  const next = { rank: progressRank(record), text: `${record.status} ${describe(record)}` };
  await deps.state.locked(`check:${record.id}`, async () => {
    const before = await deps.state.lastCheck(record.id);
    if (before && (next.rank < before.rank || next.text === before.text)) return;
    const tails = final ? await tailsOf(deps, record) : [];
    const id = await checks.write(record, sha, before?.id ?? null, tails, signal);
    if (id !== null) await deps.state.saveCheck(record.id, { id, ...next });
  });
}

async function guard(log: Logger, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    log.warn({ err, what, status }, 'report not written');
  }
}
