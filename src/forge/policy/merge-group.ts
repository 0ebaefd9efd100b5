import type { MergeGroupEvent } from '../events.ts';
import { outcome, type PolicyDeps, type PolicyOutcome } from './deps.ts';
import { baseRequest, commitFields, hasPipeline, submit } from './requests.ts';

/**
 * GitHub merge queue. `requested` builds the queue's head commit on its
 * `gh-readonly-queue/…` branch: a commit GitHub made in the base repository from
 * approved pull requests, so it has the base repository's trust, like a push. Its
 * status context and check name are the pipeline's (`berth`, `berth/<env>`), the ones
 * the pull requests report, so a required check is satisfied by either. It has no
 * pull request of its own, so pushes to pull requests never cancel it; `destroyed`
 * (merged, invalidated, dequeued) cancels it.
 */
export async function onMergeGroup(event: MergeGroupEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  const { repo, sha, ref } = event;
  if (event.action === 'destroyed') {
    const ids = await deps.builds.cancel(
      { forge: repo.forge, repo: repo.repo, sha, ref, status: ['queued', 'running'] },
      `the merge group left the queue (${event.reason ?? 'destroyed'})`,
    );
    return outcome('cancel', `merge group ${ref} destroyed`, ids);
  }
  if (!(await hasPipeline(deps, { repo, sha, ref }))) return outcome('skip', 'no pipeline file');
  const id = await submit(deps, {
    ...baseRequest(repo, event.actor, event.deliveryId),
    sha,
    ref,
    refType: 'branch',
    trigger: 'merge-group',
    rerun: false,
    ...(event.commit ? { commit: commitFields(event.commit) } : {}),
  });
  return outcome('build', `merge group ${ref}`, [id]);
}
