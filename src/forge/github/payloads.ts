// The parts of GitHub webhook payloads Berth reads (GitHub sends much more).

/** A GitHub account as payloads name it. */
export interface User {
  login: string;
  type?: string;
}
/** A repository as payloads name it. */
export interface Repo {
  full_name: string;
}
interface Base {
  action?: string;
  installation?: { id: number };
  repository?: Repo;
  sender?: User;
}
/** `push`. */
export interface PushPayload extends Base {
  ref: string;
  after: string;
  deleted?: boolean;
  head_commit?: { message: string; timestamp?: string; author?: { date?: string } } | null;
}
/** A pull request (webhook payloads and `pulls.get`). */
export interface PullRequest {
  number: number;
  state: string;
  user: User | null;
  head: { sha: string; ref: string; repo: Repo | null };
  base: { repo: Repo };
}
/** `pull_request`. */
export interface PullRequestPayload extends Base {
  number: number;
  pull_request: PullRequest;
}
/** `issue_comment`. */
export interface IssueCommentPayload extends Base {
  issue: { number: number; state: string; pull_request?: unknown };
  comment: {
    id: number;
    body: string | null;
    user: User | null;
    performed_via_github_app?: { id: number } | null;
  };
}
interface Suite {
  head_sha: string;
  head_branch: string | null;
  pull_requests: Array<{ number: number }>;
  app?: { id: number } | null;
}
/** `check_run`. */
export interface CheckRunPayload extends Base {
  check_run: {
    name: string;
    head_sha: string;
    pull_requests: Array<{ number: number }>;
    check_suite: Suite;
    app?: { id: number } | null;
  };
}
/** `check_suite`. */
export interface CheckSuitePayload extends Base {
  check_suite: Suite;
}
