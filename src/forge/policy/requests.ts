import type { BuildRecord, BuildRequest } from '../../builds/types.ts';
import { DEFINITION_FILE } from '../../pipeline/index.ts';
import type { TriggerKind } from '../../vocab/index.ts';
import type { CommitInfo, RepoRef } from '../types.ts';
import type { PolicyDeps } from './deps.ts';
import { type NoticePlace, notify } from './notice.ts';

/** The head of a PR/MR a build is for. */
export interface ChangeHead {
  change: number;
  sha: string;
  ref: string;
  fork: RepoRef | null;
}

const SKIP = /\[(skip ci|ci skip)\]/i;

/** True when a commit message asks for no build (`[skip ci]` / `[ci skip]`, any case). */
export const asksToSkip = (message: string | null | undefined): boolean => SKIP.test(message ?? '');

/** Fields every request from a forge event shares. */
export function baseRequest(repo: RepoRef, actor: string, deliveryId: string) {
  return {
    forge: repo.forge,
    repo: repo.repo,
    ...(repo.projectId === undefined ? {} : { projectId: repo.projectId }),
    ...(repo.installationId === undefined ? {} : { installationId: repo.installationId }),
    ...(actor ? { actor } : {}),
    deliveryId,
    inputs: {},
  };
}

/** A request to build the head of a PR/MR. */
export function changeRequest(
  repo: RepoRef,
  head: ChangeHead,
  how: {
    actor: string;
    deliveryId: string;
    trigger: TriggerKind;
    rerun: boolean;
    commit?: CommitInfo | null;
  },
): BuildRequest {
  return {
    ...baseRequest(repo, how.actor, how.deliveryId),
    sha: head.sha,
    ref: head.ref,
    refType: 'branch',
    trigger: how.trigger,
    change: head.change,
    ...(head.fork ? { headRepo: head.fork.repo } : {}),
    rerun: how.rerun,
    ...(how.commit ? { commit: commitFields(how.commit) } : {}),
  };
}

/** Subject line and dates of a commit, as a request carries them. */
export function commitFields(commit: CommitInfo): NonNullable<BuildRequest['commit']> {
  return {
    subject: commit.message.split('\n', 1)[0] ?? '',
    ...(commit.authorDate ? { authorDate: commit.authorDate } : {}),
    ...(commit.committerDate ? { committerDate: commit.committerDate } : {}),
  };
}

/**
 * A rerun of an earlier build: same inputs, new trigger and delivery. `failedOnly`:
 * the steps that succeeded in `record` are reused (not run again) where the worker
 * finds that safe; otherwise every step runs.
 */
export function rerunOf(
  record: BuildRecord,
  how: { actor: string; deliveryId: string; trigger: TriggerKind; failedOnly?: boolean },
): BuildRequest {
  const { actor: _previous, reuseFrom: _earlier, ...request } = record.request;
  return {
    ...request,
    ...(how.actor ? { actor: how.actor } : {}),
    deliveryId: how.deliveryId,
    trigger: how.trigger,
    rerun: true,
    ...(how.failedOnly ? { reuseFrom: record.id } : {}),
  };
}

/** Queues a build and reports its "queued" status; returns the build id. */
export async function submit(deps: PolicyDeps, request: BuildRequest): Promise<string> {
  const { id, joined } = await deps.builds.request(request);
  deps.logger.info({ id, joined, trigger: request.trigger, sha: request.sha }, 'build requested');
  if (!joined) {
    const record = await deps.builds.get(id);
    if (record)
      await deps.reporter
        .report(record)
        .catch((err: unknown) => deps.logger.warn({ err, id }, 'report failed'));
  }
  return id;
}

/** The newest build of each status context (`berth`, `berth/<env>`) among `records` (newest first). */
export function latestPerContext(records: BuildRecord[]): BuildRecord[] {
  const seen = new Map<string, BuildRecord>();
  for (const record of records) if (!seen.has(record.context)) seen.set(record.context, record);
  return [...seen.values()];
}

/**
 * False when the commit has no pipeline file (a status then says there is nothing to
 * build). A failed lookup counts as present: the worker reports what it finds.
 */
export async function hasPipeline(deps: PolicyDeps, place: NoticePlace): Promise<boolean> {
  try {
    if ((await deps.forge.readFile(place.repo, place.sha, DEFINITION_FILE)) !== null) return true;
  } catch (err) {
    deps.logger.warn({ err, sha: place.sha }, 'cannot check for the pipeline file; queueing anyway');
    return true;
  }
  await notify(deps, 'no-pipeline', place);
  return false;
}

/** True when a build of this PR/MR at this sha already exists and was not cancelled. */
export async function alreadyBuilt(deps: PolicyDeps, repo: RepoRef, sha: string, change: number) {
  const records = await deps.builds.list({ forge: repo.forge, repo: repo.repo, sha, change });
  return records.some((r) => r.status !== 'cancelled' && r.request.change === change);
}
