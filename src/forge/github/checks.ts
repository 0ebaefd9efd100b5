import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BuildRecord } from '../../builds/types.ts';
import { checkOutput } from '../../report/check-run.ts';
import { buildUrl, describe } from '../../report/status.ts';
import { withReportLock } from '../report-lock.ts';
import { progressRank } from '../report-state.ts';
import type { TailFn } from '../reporter.ts';
import type { BuildReporter } from '../types.ts';
import { call, type Octokit, ownerRepo, statusOf } from './octokit.ts';

/** What the check-run reporter needs. */
export interface CheckReporterDeps {
  octokitFor(installationId: number): Promise<Octokit>;
  redis: Redis;
  tail: TailFn;
  publicUrl: string | null;
  logger: Logger;
}

interface Written {
  id: number;
  rank: number;
  text: string;
}

const CONCLUSION = {
  success: 'success',
  failed: 'failure',
  error: 'failure',
  cancelled: 'cancelled',
} as const;

/**
 * One GitHub check run per build: queued → in_progress → completed. Installations
 * without `checks: write` (403) are remembered and left alone; errors never throw.
 */
export function createCheckReporter(deps: CheckReporterDeps): BuildReporter {
  const noChecks = new Set<number>();
  return {
    async report(record, signal) {
      const installation = record.request.installationId;
      const sha = record.sha ?? record.request.sha;
      if (installation === undefined || !sha || noChecks.has(installation)) return;
      try {
        await write(deps, await deps.octokitFor(installation), record, sha, signal);
      } catch (err) {
        if (statusOf((err as { cause?: unknown }).cause ?? err) === 403) {
          noChecks.add(installation);
          deps.logger.info({ installation }, 'installation lacks checks: write; using commit statuses only');
          return;
        }
        deps.logger.warn({ err, build: record.id }, 'check run not written');
      }
    },
  };
}

async function write(
  deps: CheckReporterDeps,
  octokit: Octokit,
  record: BuildRecord,
  sha: string,
  signal?: AbortSignal,
) {
  const key = `berth:report:check:${record.id}`;
  const final = record.status !== 'queued' && record.status !== 'running';
  const status = final ? 'completed' : record.status === 'running' ? 'in_progress' : 'queued';
  const next = { rank: progressRank(record), text: `${status} ${describe(record)}` };
  await withReportLock(deps.redis, `check:${record.id}`, async () => {
    const before = await deps.redis.get(key).then((t) => (t ? (JSON.parse(t) as Written) : null));
    if (before && (next.rank < before.rank || next.text === before.text)) return;
    const url = buildUrl(deps.publicUrl, record.id);
    const fields = {
      ...ownerRepo(record.request.repo),
      status,
      output: checkOutput(record, final ? await tails(deps, record) : []),
      ...(url ? { details_url: url } : {}),
      ...(record.startedAt ? { started_at: record.startedAt } : {}),
      ...(final
        ? { conclusion: conclusionOf(record), completed_at: record.finishedAt ?? new Date().toISOString() }
        : {}),
      request: signal ? { signal } : {},
    } as const;
    const id = before
      ? (
          await call('update check run', () =>
            octokit.rest.checks.update({ ...fields, check_run_id: before.id }),
          )
        ).data.id
      : (
          await call('create check run', () =>
            octokit.rest.checks.create({
              ...fields,
              name: record.context,
              head_sha: sha,
              external_id: record.id,
            }),
          )
        ).data.id;
    await deps.redis.set(key, JSON.stringify({ id, ...next } satisfies Written), 'EX', 30 * 86_400);
  });
}

function conclusionOf(record: BuildRecord) {
  if (record.reason === 'timeout' && record.status !== 'success') return 'timed_out' as const;
  return CONCLUSION[record.status as keyof typeof CONCLUSION] ?? 'neutral';
}

async function tails(deps: CheckReporterDeps, record: BuildRecord) {
  const failed = record.stages.flatMap((stage) =>
    stage.steps
      .filter((s) => s.status === 'failed' || s.status === 'error')
      .map((s) => ({ stage: stage.name, step: s.name })),
  );
  return Promise.all(
    failed.map(async (k) => ({ ...k, lines: await deps.tail(record.id, k, 30).catch(() => []) })),
  );
}
