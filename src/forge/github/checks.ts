import type { Logger } from 'pino';
import type { BuildRecord } from '../../builds/types.ts';
import { checkOutput } from '../../report/check-run.ts';
import { buildUrl } from '../../report/status.ts';
import type { CheckRunWriter } from '../reporter.ts';
import { call, httpStatusOf, type Octokit, ownerRepo } from './octokit.ts';

/** What the check-run writer needs. */
export interface CheckRunDeps {
  octokitFor(installationId: number): Promise<Octokit>;
  publicUrl: string | null;
  logger: Logger;
}

const CONCLUSION = {
  success: 'success',
  failed: 'failure',
  error: 'failure',
  cancelled: 'cancelled',
} as const;

/**
 * One GitHub check run per build (queued → in_progress → completed), written when the
 * reporter (src/forge/reporter.ts) decides, under its lock and with its state.
 * Installations without `checks: write` (403) are remembered and left alone.
 */
export function createCheckRuns(deps: CheckRunDeps): CheckRunWriter {
  const noChecks = new Set<number>();
  return {
    async write(record, sha, previous, tails, signal) {
      const installation = record.request.installationId;
      if (installation === undefined || noChecks.has(installation)) return null;
      try {
        return await write(deps, await deps.octokitFor(installation), record, sha, previous, tails, signal);
      } catch (err) {
        if (httpStatusOf((err as { cause?: unknown }).cause ?? err) !== 403) throw err;
        noChecks.add(installation);
        deps.logger.info({ installation }, 'installation lacks checks: write; using commit statuses only');
        return null;
      }
    },
  };
}

async function write(
  deps: CheckRunDeps,
  octokit: Octokit,
  record: BuildRecord,
  sha: string,
  previous: number | null,
  tails: Parameters<CheckRunWriter['write']>[3],
  signal?: AbortSignal,
): Promise<number> {
  const final = record.status !== 'queued' && record.status !== 'running';
  const status = final ? 'completed' : record.status === 'running' ? 'in_progress' : 'queued';
  const url = buildUrl(deps.publicUrl, record.id);
  const fields = {
    ...ownerRepo(record.request.repo),
    status,
    output: checkOutput(record, tails, [], deps.publicUrl),
    ...(url ? { details_url: url } : {}),
    ...(record.startedAt ? { started_at: record.startedAt } : {}),
    ...(final
      ? { conclusion: conclusionOf(record), completed_at: record.finishedAt ?? new Date().toISOString() }
      : {}),
    request: signal ? { signal } : {},
  } as const;
  const answer =
    previous === null
      ? await call('create check run', () =>
          octokit.rest.checks.create({
            ...fields,
            name: record.context,
            head_sha: sha,
            external_id: record.id,
          }),
        )
      : await call('update check run', () =>
          octokit.rest.checks.update({ ...fields, check_run_id: previous }),
        );
  return answer.data.id;
}

function conclusionOf(record: BuildRecord) {
  if (record.reason === 'timeout' && record.status !== 'success') return 'timed_out' as const;
  return CONCLUSION[record.status as keyof typeof CONCLUSION] ?? 'neutral';
}
