import type { ChangeEvent } from '../events.ts';
import type { CommitInfo, ForgeUser } from '../types.ts';
import { outcome, type PolicyDeps, type PolicyOutcome } from './deps.ts';
import { notify } from './notice.ts';
import { alreadyBuilt, asksToSkip, changeRequest, hasPipeline, submit } from './requests.ts';
import { trusts } from './trust.ts';

/**
 * PR/MR opened, updated or reopened: build when the author is trusted or a trusted
 * user approved this very head sha with `/ok-to-test`; else hold with a pending
 * "waiting for approval" status. Closed: cancel the change's builds.
 */
export async function onChange(event: ChangeEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  const { repo, sha } = event;
  if (event.action === 'closed') {
    const ids = await deps.builds.cancel(
      { forge: repo.forge, repo: repo.repo, change: event.change },
      'closed',
    );
    return outcome('cancel', `#${event.change} closed`, ids);
  }
  await deps.store.sawHead(repo, event.change, sha, Date.now());
  const commit = event.commit ?? (await commitOf(event, deps));
  const place = { repo, sha, ref: event.ref, change: event.change, fork: event.fork };
  if ((await deps.store.wasSkipped(repo, sha)) || asksToSkip(commit?.message)) {
    await deps.store.markSkipped(repo, sha);
    await notify(deps, 'skipped', place);
    return outcome('skip', '[skip ci] in the commit message');
  }
  const approved = (await deps.store.approvedSha(repo, event.change)) === sha;
  const forkHeld = deps.holdForks === true && event.fork !== null;
  if (!approved && (forkHeld || !(await trusts(deps, repo, authorOf(event))))) {
    await notify(deps, 'waiting', place);
    const filter = { forge: repo.forge, repo: repo.repo, change: event.change };
    const stopped = await deps.builds.cancel(filter, 'superseded by a push that waits for approval');
    const why = forkHeld ? 'from a fork' : `${event.author} is not a collaborator with write access`;
    return outcome('hold', why, stopped);
  }
  if (event.action !== 'reopened' && (await alreadyBuilt(deps, repo, sha, event.change))) {
    return outcome('duplicate', `#${event.change} at ${sha} already built`);
  }
  if (!(await hasPipeline(deps, place))) return outcome('skip', 'no pipeline file');
  const head = { change: event.change, sha, ref: event.ref, fork: event.fork };
  const how = {
    actor: event.actor,
    deliveryId: event.deliveryId,
    trigger: 'change' as const,
    rerun: false,
    commit,
  };
  const id = await submit(deps, changeRequest(repo, head, how));
  return outcome('build', `#${event.change} ${event.action}`, [id]);
}

async function commitOf(event: ChangeEvent, deps: PolicyDeps): Promise<CommitInfo | null> {
  if (!deps.forge.getCommit) return null;
  try {
    return await deps.forge.getCommit(event.repo, event.sha);
  } catch (err) {
    deps.logger.warn({ err, sha: event.sha }, 'cannot read the head commit');
    return null;
  }
}

/** The PR/MR author, with the forge's id when the payload carried it. */
const authorOf = (event: ChangeEvent): ForgeUser =>
  event.authorId === undefined ? { login: event.author } : { login: event.author, id: event.authorId };
