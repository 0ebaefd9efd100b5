import type { ChangeEvent, ForgeEvent } from '../events.ts';
import type { RepoRef } from '../types.ts';
import type {
  CheckRunPayload,
  CheckSuitePayload,
  IssueCommentPayload,
  MergeGroupPayload,
  ParsedPayload,
  PullRequestPayload,
  PushPayload,
} from './payloads.ts';

/** What a delivery means to Berth: a neutral event, or why it is ignored. */
export type DeliveryMeaning = { event: ForgeEvent } | { ignored: string };

const CHANGE_ACTIONS: Record<string, ChangeEvent['action']> = {
  opened: 'opened',
  synchronize: 'updated',
  reopened: 'reopened',
  closed: 'closed',
};

/**
 * Maps a validated GitHub delivery onto Berth's neutral events; ignored are deliveries
 * Berth does not act on (other actions, comments on issues, other apps' checks) and
 * those without a repository or an App installation to answer through.
 */
export function mapDelivery(deliveryId: string, parsed: ParsedPayload, appId: number): DeliveryMeaning {
  const { repository, installation } = parsed.payload;
  if (!repository) return { ignored: 'no repository' };
  if (!installation) return { ignored: 'not sent to an App installation' };
  const repo: RepoRef = { forge: 'github', repo: repository.full_name, installationId: installation.id };
  const base = { repo, deliveryId };
  const event = eventOf(parsed, base, appId);
  return event ? { event } : { ignored: `${parsed.name}.${parsed.payload.action ?? ''} is not acted on` };
}

function eventOf(parsed: ParsedPayload, base: Base, appId: number): ForgeEvent | null {
  switch (parsed.name) {
    case 'push':
      return fromPush(parsed.payload, base);
    case 'pull_request':
      return fromPullRequest(parsed.payload, base);
    case 'issue_comment':
      return fromComment(parsed.payload, base, appId);
    case 'check_run':
      return fromCheckRun(parsed.payload, base, appId);
    case 'check_suite':
      return fromCheckSuite(parsed.payload, base, appId);
    case 'merge_group':
      return fromMergeGroup(parsed.payload, base);
  }
}

type Base = { repo: RepoRef; deliveryId: string };

function fromPush(p: PushPayload, base: Base): ForgeEvent {
  const tag = p.ref.startsWith('refs/tags/');
  const commit = p.head_commit;
  return {
    ...base,
    kind: 'push',
    actor: p.sender?.login ?? '',
    ref: p.ref.replace(/^refs\/(heads|tags)\//, ''),
    refType: tag ? 'tag' : 'branch',
    sha: p.deleted || /^0+$/.test(p.after) ? null : p.after,
    commit: commit
      ? {
          message: commit.message,
          ...(commit.author?.date ? { authorDate: commit.author.date } : {}),
          ...(commit.timestamp ? { committerDate: commit.timestamp } : {}),
        }
      : null,
  };
}

function fromPullRequest(p: PullRequestPayload, base: Base): ForgeEvent | null {
  const action = CHANGE_ACTIONS[p.action ?? ''];
  if (!action) return null;
  const pr = p.pull_request;
  const headRepo = pr.head.repo?.full_name ?? null;
  const fork =
    headRepo === pr.base.repo.full_name
      ? null
      : { forge: 'github' as const, repo: headRepo ?? '(deleted fork)' };
  return {
    ...base,
    kind: 'change',
    actor: p.sender?.login ?? '',
    action,
    change: pr.number,
    sha: pr.head.sha,
    ref: pr.head.ref,
    fork,
    author: pr.user?.login ?? '',
    commit: null,
  };
}

function fromComment(p: IssueCommentPayload, base: Base, appId: number): ForgeEvent | null {
  if (p.action !== 'created' || !p.issue.pull_request) return null;
  const user = p.comment.user;
  return {
    ...base,
    kind: 'comment',
    actor: user?.login ?? '',
    change: p.issue.number,
    body: p.comment.body ?? '',
    fromBot: user?.type === 'Bot' || p.comment.performed_via_github_app?.id === appId,
    changeState: p.issue.state === 'open' ? 'open' : 'closed',
    sha: null,
    writtenAt: isoTime(p.comment.created_at),
    commentId: String(p.comment.id),
  };
}

function fromCheckRun(p: CheckRunPayload, base: Base, appId: number): ForgeEvent | null {
  const run = p.check_run;
  if (p.action !== 'rerequested' || (run.app && run.app.id !== appId)) return null;
  return {
    ...base,
    kind: 'rerun',
    actor: p.sender?.login ?? '',
    sha: run.head_sha,
    ref: run.check_suite.head_branch,
    changes: run.pull_requests.map((pr) => pr.number),
    context: run.name,
  };
}

function fromCheckSuite(p: CheckSuitePayload, base: Base, appId: number): ForgeEvent | null {
  const suite = p.check_suite;
  if (p.action !== 'rerequested' || (suite.app && suite.app.id !== appId)) return null;
  return {
    ...base,
    kind: 'rerun',
    actor: p.sender?.login ?? '',
    sha: suite.head_sha,
    ref: suite.head_branch,
    changes: suite.pull_requests.map((pr) => pr.number),
    context: null,
  };
}

const MERGE_GROUP_ACTIONS: Record<string, 'requested' | 'destroyed'> = {
  checks_requested: 'requested',
  destroyed: 'destroyed',
};

function fromMergeGroup(p: MergeGroupPayload, base: Base): ForgeEvent | null {
  const action = MERGE_GROUP_ACTIONS[p.action ?? ''];
  const group = p.merge_group;
  const ref = group.head_ref.replace(/^refs\/heads\//, '');
  if (!action || !ref.startsWith('gh-readonly-queue/')) return null;
  const commit = group.head_commit;
  return {
    ...base,
    kind: 'merge-group',
    actor: p.sender?.login ?? '',
    action,
    sha: group.head_sha,
    ref,
    reason: p.reason ?? null,
    commit: commit
      ? { message: commit.message, ...(commit.timestamp ? { committerDate: commit.timestamp } : {}) }
      : null,
  };
}

/** A payload's timestamp as ISO 8601, or null when absent or unreadable. */
function isoTime(text: string | undefined): string | null {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
