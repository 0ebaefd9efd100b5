import type { RerunEvent } from '../events.ts';
import { outcome, type PolicyDeps, type PolicyOutcome } from './deps.ts';
import { baseRequest, latestPerContext, rerunOf, submit } from './requests.ts';
import { actorOf, trusts } from './trust.ts';

/**
 * The forge's "Re-run" button: reruns the build of the named context (a check run),
 * or the newest build of every context of the sha (a check suite). Only trusted users.
 */
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
