import { secretInputValues } from '../builds/inputs.ts';
import type { BuildRecord, StepRecord } from '../builds/types.ts';
import type { CommitStatus } from '../vocab/index.ts';
import { duration, redact, shorten } from './text.ts';

/** GitHub rejects longer descriptions with 422. */
export const MAX_DESCRIPTION = 140;

/** The status context of a pipeline run: `berth` or `berth/<environment>`. */
export const contextFor = (environment?: string | null): string =>
  environment ? `berth/${environment}` : 'berth';

/** Link to the build's page, or undefined without a public URL. */
export function buildUrl(publicUrl: string | null, id: string): string | undefined {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/builds/${encodeURIComponent(id)}` : undefined;
}

/** The commit status a build shows on the forge now. */
export function statusOf(
  record: BuildRecord,
  publicUrl: string | null,
  secrets: readonly string[] = [],
): CommitStatus {
  const url = buildUrl(publicUrl, record.id);
  const hidden = [...secrets, ...secretInputValues(record)];
  return {
    state: stateOf(record),
    context: record.context,
    description: shorten(redact(describe(record), hidden), MAX_DESCRIPTION),
    ...(url ? { targetUrl: url } : {}),
    ...(record.request.ref ? { ref: record.request.ref } : {}),
  };
}

/** The "held until a collaborator approves" status of an untrusted PR/MR. */
export const waitingStatus = (context = contextFor()): CommitStatus => ({
  state: 'pending',
  context,
  description: 'waiting for approval: a collaborator can comment /ok-to-test',
});

/** The status of a commit without a pipeline file: nothing to build, and why. */
export const noPipelineStatus = (file: string, context = contextFor()): CommitStatus => ({
  state: 'success',
  context,
  description: `no ${file} at this commit: nothing to build`,
});

/** The status of a commit that asked for no build. */
export const skippedStatus = (context = contextFor()): CommitStatus => ({
  state: 'success',
  context,
  description: 'skipped: [skip ci]',
});

function stateOf(record: BuildRecord): CommitStatus['state'] {
  switch (record.status) {
    case 'queued':
      return 'pending';
    case 'failed':
      return 'failure';
    default:
      return record.status;
  }
}

/** One line saying where the build is, e.g. `running: stage 2/3 (build)`. */
export function describe(record: BuildRecord): string {
  const took = duration(record.startedAt, record.finishedAt);
  switch (record.status) {
    case 'queued':
      return record.message ?? 'queued';
    case 'running':
      return running(record);
    case 'success':
      return record.stages.length === 0 && record.message
        ? record.message
        : took
          ? `passed in ${took}`
          : 'passed';
    case 'cancelled':
      return record.message ? `cancelled: ${record.message}` : 'cancelled';
    case 'failed':
    case 'error':
      return `${record.status}: ${whatBroke(record)}`;
  }
}

function running(record: BuildRecord): string {
  const index = record.stages.findIndex((s) => s.status === 'running');
  const stage = record.stages[index];
  return stage ? `running: stage ${index + 1}/${record.stages.length} (${stage.name})` : 'running';
}

function whatBroke(record: BuildRecord): string {
  for (const stage of record.stages) {
    const step = stage.steps.find((s) => s.status === 'failed' || s.status === 'error');
    if (step) return `${stage.name}/${step.name} ${stepProblem(step)}`;
  }
  return (record.message ?? record.reason ?? 'unknown').split('\n', 1)[0] ?? '';
}

/** Why a step did not succeed, in a few words (`exited 1`, `timed out`, the message). */
export function stepProblem(step: StepRecord): string {
  if (step.reason === 'timeout') return 'timed out';
  if (step.status === 'failed' && step.exitCode !== null) return `exited ${step.exitCode}`;
  return step.message ? (step.message.split('\n', 1)[0] ?? '') : (step.reason ?? step.status);
}
