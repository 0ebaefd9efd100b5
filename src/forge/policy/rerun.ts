import type { RerunEvent } from '../events.ts';
import { outcome, type PolicyDeps, type PolicyOutcome } from './deps.ts';
import { baseRequest, latestPerContext, rerunOf, submit } from './requests.ts';
import { actorOf, trusts } from './trust.ts';

/**
 * The forge's "Re-run" buttons: a check run's ("Re-run", "Re-run failed checks") reruns
 * the build of its context, running only the failed steps of a failed build (the rest
 * are reused); a check suite's ("Re-run all checks") reruns the newest build of every
 * context of the sha, every step. Only users with write access, as for `/retest`.
 */
const BROKEN = new Set(['failed', 'error', 'cancelled']);

export async function onRerun(event: RerunEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  const { repo, actor } = event;
  if (!(await trusts(deps, repo, actorOf(event)))) return outcome('refuse', `${actor} may not rerun builds`);
  const ran = latestPerContext(
    await deps.builds.list({ forge: repo.forge, repo: repo.repo, sha: event.sha }),
  );
  const targets = event.context ? ran.filter((r) => r.context === event.context) : ran;
  const ids: string[] = [];
  for (const record of targets) {
    const how = {
      actor,
      deliveryId: `${event.deliveryId}:${record.context}`,
      trigger: 'rerequested' as const,
      failedOnly: event.context !== null && BROKEN.has(record.status),
    };
    ids.push(await submit(deps, rerunOf(record, how)));
  }
  if (targets.length === 0 && event.ref) {
    const change = event.changes[0];
    const request = {
      ...baseRequest(repo, actor, event.deliveryId),
      sha: event.sha,
      ref: event.ref,
      refType: 'branch' as const,
      trigger: 'rerequested' as const,
      rerun: true,
      ...(change === undefined ? {} : { change }),
    };
    ids.push(await submit(deps, request));
  }
  return outcome(ids.length > 0 ? 'build' : 'ignore', 'rerun requested', ids);
}
