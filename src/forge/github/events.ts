import type { ChangeEvent, ForgeEvent } from '../events.ts';
import type { RepoRef } from '../types.ts';
import type {
  CheckRunPayload,
  CheckSuitePayload,
  IssueCommentPayload,
  PullRequestPayload,
  PushPayload,
} from './payloads.ts';

/** A webhook delivery as Probot hands it over. */
export interface Delivery {
  id: string;
  name: string;
  payload: unknown;
}

const CHANGE_ACTIONS: Record<string, ChangeEvent['action']> = {
  opened: 'opened',
  synchronize: 'updated',
  reopened: 'reopened',
  closed: 'closed',
};

/**
 * Maps a GitHub delivery onto Berth's neutral events; null for deliveries Berth
 * does not act on (other events and actions, comments on issues, other apps' checks).
 */
export function toForgeEvent(delivery: Delivery, appId: number): ForgeEvent | null {
  const body = delivery.payload as { repository?: { full_name: string }; installation?: { id: number } };
  if (!body.repository) return null;
  const repo: RepoRef = {
    forge: 'github',
    repo: body.repository.full_name,
    ...(body.installation ? { installationId: body.installation.id } : {}),
  };
  const base = { repo, deliveryId: delivery.id };
  switch (delivery.name) {
    case 'push':
      return fromPush(delivery.payload as PushPayload, base);
    case 'pull_request':
      return fromPullRequest(delivery.payload as PullRequestPayload, base);
    case 'issue_comment':
      return fromComment(delivery.payload as IssueCommentPayload, base, appId);
    case 'check_run':
      return fromCheckRun(delivery.payload as CheckRunPayload, base, appId);
    case 'check_suite':
      return fromCheckSuite(delivery.payload as CheckSuitePayload, base, appId);
    default:
      return null;
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
