import type { PushEvent } from '../events.ts';
import type { ChangeInfo } from '../types.ts';
import { outcome, type PolicyDeps, type PolicyOutcome } from './deps.ts';
import { notify } from './notice.ts';
import {
  alreadyBuilt,
  asksToSkip,
  baseRequest,
  changeRequest,
  commitFields,
  hasPipeline,
  submit,
} from './requests.ts';

/**
 * A push builds its sha. When the sha is the head of an open PR/MR of the same
 * repository, the build is that change's build (so the change event that follows
 * joins it and the summary comment lands on the PR): the change build wins.
 */
export async function onPush(event: PushEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  const { sha, repo } = event;
  if (!sha) return outcome('ignore', 'branch or tag deleted');
  if (asksToSkip(event.commit?.message)) {
    await deps.store.markSkipped(repo, sha);
    await notify(deps, 'skipped', { repo, sha, ref: event.ref });
    return outcome('skip', '[skip ci] in the commit message');
  }
  if (!(await hasPipeline(deps, { repo, sha, ref: event.ref }))) return outcome('skip', 'no pipeline file');
  const change = event.refType === 'branch' ? await openChangeAt(event, deps) : null;
  if (change) {
    if (await alreadyBuilt(deps, repo, sha, change.change))
      return outcome('duplicate', `built for #${change.change}`);
    const how = {
      actor: event.actor,
      deliveryId: event.deliveryId,
      trigger: 'change' as const,
      rerun: false,
    };
    const id = await submit(
      deps,
      changeRequest(repo, { ...change, fork: null }, { ...how, commit: event.commit }),
    );
    return outcome('build', `push to the head of #${change.change}`, [id]);
  }
  const id = await submit(deps, {
    ...baseRequest(repo, event.actor, event.deliveryId),
    sha,
    ref: event.ref,
    refType: event.refType,
    trigger: event.refType === 'tag' ? 'tag' : 'push',
    rerun: false,
    ...(event.commit ? { commit: commitFields(event.commit) } : {}),
  });
  return outcome('build', `push to ${event.ref}`, [id]);
}

async function openChangeAt(event: PushEvent, deps: PolicyDeps): Promise<ChangeInfo | null> {
  if (!deps.forge.openChangesAt || !event.sha) return null;
  try {
    const changes = await deps.forge.openChangesAt(event.repo, event.sha);
    return changes.find((c) => c.fork === null && c.ref === event.ref) ?? null;
  } catch (err) {
    deps.logger.warn(
      { err, sha: event.sha },
      'cannot list the changes of a pushed commit; building the push',
    );
    return null;
  }
}
