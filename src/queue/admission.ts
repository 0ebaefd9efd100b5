import type { BuildRecord, BuildRequest } from '../builds/types.ts';
import type { ConcurrencyPlan } from '../pipeline/types.ts';
import type { SlotState, Slots } from './slots/slots.ts';

/** `forge:owner/name`: the repository a cap counts. */
export const repoKey = (r: Pick<BuildRequest, 'forge' | 'repo'>): string => `${r.forge}:${r.repo}`;

/** A group is scoped to its repository: `forge:owner/name#group`. */
export const groupKey = (r: Pick<BuildRequest, 'forge' | 'repo'>, group: string): string =>
  `${repoKey(r)}#${group}`;

/** `forge:owner`: GitHub owner, GitLab top-level group; local builds share one owner. */
export function ownerKey(r: Pick<BuildRequest, 'forge' | 'repo'>): string {
  if (r.forge === 'local') return 'local:';
  return `${r.forge}:${r.repo.split('/')[0] ?? r.repo}`;
}

/** What a waiting build waits on. */
type Wait = Pick<SlotState, 'cap' | 'ahead'>;

/** What the status, check run, page and API say while a build waits. */
export function waitingMessage(state: Wait, group: string | undefined, repo: string): string {
  const what =
    state.cap === 'group'
      ? (group ?? 'its group')
      : state.cap === 'repository'
        ? `a slot of repository ${repo}`
        : `a slot of owner ${repo.split('/')[0] ?? repo}`;
  return `waiting for ${what} (${state.ahead} ahead)`;
}

/** The record while waiting: still queued, saying why. */
export function waitingRecord(r: BuildRecord, state: Wait, group: string | undefined): BuildRecord {
  if (r.status !== 'queued') return r;
  return {
    ...r,
    message: waitingMessage(state, group, r.request.repo),
    waiting: { cap: state.cap ?? 'owner', ahead: state.ahead, ...(group ? { group } : {}) },
  };
}

/** The record once the build has its slots: running, the waiting note gone. */
export function admittedRecord(r: BuildRecord, at: string): BuildRecord {
  if (r.status !== 'queued') return r;
  const { waiting: _, ...rest } = r;
  return { ...rest, status: 'running', message: null, startedAt: r.startedAt ?? at };
}

/** Asks for the slots of one build: its repository's group (if the plan has one) and the caps. */
export function acquireFor(
  slots: Slots,
  x: { id: string; seq: number; request: BuildRequest; concurrency: ConcurrencyPlan | undefined },
): Promise<SlotState> {
  const c = x.concurrency;
  return slots.acquire({
    id: x.id,
    seq: x.seq,
    group: c ? groupKey(x.request, c.group) : '',
    groupName: c?.group ?? '',
    limit: c?.limit ?? 1,
    cancelInProgress: c?.cancelInProgress ?? false,
    repo: repoKey(x.request),
    owner: ownerKey(x.request),
  });
}
