import type { CommandName } from '../commands.ts';
import { okToTestSha, parseCommands, retestsAll } from '../commands.ts';
import type { CommentEvent } from '../events.ts';
import { outcome, type PolicyDeps, type PolicyOutcome } from './deps.ts';
import { type ChangeHead, changeRequest, latestPerContext, rerunOf, submit } from './requests.ts';
import { actorOf, trusts } from './trust.ts';

const REPLY_MARKER = '<!-- berth:reply -->';

/**
 * Runs the commands of a PR/MR comment for trusted users. Bots are ignored
 * silently; untrusted users and closed changes get one short reply per change.
 */
export async function onComment(event: CommentEvent, deps: PolicyDeps): Promise<PolicyOutcome> {
  const commands = parseCommands(event.body);
  if (commands.length === 0) return outcome('ignore', 'no command');
  if (event.fromBot) return outcome('ignore', 'comment by a bot');
  if (event.changeState === 'closed')
    return refuse(event, deps, 'closed', 'Berth ignores commands on closed changes.');
  if (!(await trusts(deps, event.repo, actorOf(event)))) {
    const text = `@${event.actor}: only collaborators with write access can give Berth commands (${commands.map((c) => `/${c}`).join(', ')}).`;
    return refuse(event, deps, 'untrusted', text);
  }
  const head = await headOf(event, deps);
  if (!head) return outcome('ignore', `#${event.change} not found`);
  if (head.state === 'closed')
    return refuse(event, deps, 'closed', 'Berth ignores commands on closed changes.');
  const ids: string[] = [];
  for (const command of commands) {
    if (command === 'retest' && commands.includes('test')) continue;
    ids.push(...(await run(command, event, head, deps)));
  }
  return outcome(
    commands.includes('cancel') ? 'cancel' : 'build',
    commands.map((c) => `/${c}`).join(' '),
    ids,
  );
}

async function run(
  command: CommandName,
  event: CommentEvent,
  head: ChangeHead,
  deps: PolicyDeps,
): Promise<string[]> {
  const { repo, actor } = event;
  const deliveryId = `${event.deliveryId}:${command}`;
  switch (command) {
    case 'cancel':
      return deps.builds.cancel(
        { forge: repo.forge, repo: repo.repo, change: event.change },
        `cancelled by ${actor}`,
      );
    case 'ok-to-test': {
      const moved = await headMovedSince(event, head, deps);
      if (moved) {
        await refuse(event, deps, `moved:${head.sha}`, moved);
        return [];
      }
      await deps.store.approve(repo, event.change, head.sha);
      return [
        await submit(
          deps,
          changeRequest(repo, head, { actor, deliveryId, trigger: 'ok-to-test', rerun: false }),
        ),
      ];
    }
    case 'test':
      return [
        await submit(deps, changeRequest(repo, head, { actor, deliveryId, trigger: 'test', rerun: true })),
      ];
    case 'retest':
      return retest(event, head, deps, deliveryId);
  }
}

/**
 * Why `/ok-to-test` may not approve the current head, or null when it may. It approves
 * only the commit that was the head when the comment was written: the one it names
 * (`/ok-to-test <sha>`), the one GitLab's note carries, or (GitHub) the head Berth had
 * already seen before the comment's time. A push racing the comment is never approved.
 */
async function headMovedSince(event: CommentEvent, head: ChangeHead, deps: PolicyDeps) {
  const short = head.sha.slice(0, 12);
  const ask = `comment \`/ok-to-test ${short}\` once you have reviewed it`;
  const named = okToTestSha(event.body);
  if (named) {
    return head.sha.startsWith(named)
      ? null
      : `@${event.actor}: \`/ok-to-test ${named}\` does not name the head of this change, which is now \`${short}\`; nothing was approved.`;
  }
  const moved = `@${event.actor}: the head of this change moved to \`${short}\` after your comment; nothing was approved. Please ${ask}.`;
  if (event.sha) return event.sha === head.sha ? null : moved;
  const seen = await deps.store.headSince(event.repo, event.change);
  const writtenMs = event.writtenAt ? Date.parse(event.writtenAt) : Number.NaN;
  if (!seen || Number.isNaN(writtenMs)) {
    return `@${event.actor}: Berth cannot tell which commit you reviewed; nothing was approved. Please ${ask}.`;
  }
  return seen.sha === head.sha && seen.atMs <= writtenMs ? null : moved;
}

/**
 * Reruns the failed/errored builds of the head sha, running only their failed steps
 * (`/retest all`: every step); builds it when nothing ran yet.
 */
async function retest(event: CommentEvent, head: ChangeHead, deps: PolicyDeps, deliveryId: string) {
  const { repo, actor } = event;
  const ran = await deps.builds.list({ forge: repo.forge, repo: repo.repo, sha: head.sha });
  if (ran.length === 0) {
    return [
      await submit(deps, changeRequest(repo, head, { actor, deliveryId, trigger: 'retest', rerun: true })),
    ];
  }
  const broken = latestPerContext(ran).filter((r) => r.status === 'failed' || r.status === 'error');
  const ids: string[] = [];
  for (const record of broken) {
    const rerun = rerunOf(record, {
      actor,
      deliveryId: `${deliveryId}:${record.context}`,
      trigger: 'retest',
      failedOnly: !retestsAll(event.body),
    });
    const request = { ...rerun, change: head.change, ...(head.fork ? { headRepo: head.fork.repo } : {}) };
    ids.push(await submit(deps, request));
  }
  return ids;
}

async function headOf(
  event: CommentEvent,
  deps: PolicyDeps,
): Promise<(ChangeHead & { state: string }) | null> {
  if (deps.forge.getChange) {
    const info = await deps.forge.getChange(event.repo, event.change);
    return info && { change: info.change, sha: info.sha, ref: info.ref, fork: info.fork, state: info.state };
  }
  if (!event.sha) return null;
  const [last] = await deps.builds.list({
    forge: event.repo.forge,
    repo: event.repo.repo,
    change: event.change,
    limit: 1,
  });
  if (!last) return null;
  const fork = last.request.headRepo ? { forge: event.repo.forge, repo: last.request.headRepo } : null;
  return { change: event.change, sha: event.sha, ref: last.request.ref, fork, state: 'open' };
}

async function refuse(
  event: CommentEvent,
  deps: PolicyDeps,
  why: string,
  text: string,
): Promise<PolicyOutcome> {
  if (await deps.store.firstTime(event.repo, event.change, why)) {
    await deps.forge.upsertComment(event.repo, event.change, {
      marker: `${REPLY_MARKER}`,
      body: `${REPLY_MARKER}\n${text}`,
    });
  }
  return outcome('refuse', why);
}
