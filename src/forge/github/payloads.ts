/** The parts of GitHub webhook payloads Berth reads (GitHub sends much more). */
export interface User {
  login: string;
  type?: string;
}
export interface Repo {
  full_name: string;
}
interface Base {
  action?: string;
  installation?: { id: number };
  repository?: Repo;
  sender?: User;
}
export interface PushPayload extends Base {
  ref: string;
  after: string;
  deleted?: boolean;
  head_commit?: { message: string; timestamp?: string; author?: { date?: string } } | null;
}
export interface PullRequest {
  number: number;
  state: string;
  user: User | null;
  head: { sha: string; ref: string; repo: Repo | null };
  base: { repo: Repo };
}
export interface PullRequestPayload extends Base {
  number: number;
  pull_request: PullRequest;
}
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
export interface CheckRunPayload extends Base {
  check_run: {
    name: string;
    head_sha: string;
    pull_requests: Array<{ number: number }>;
    check_suite: Suite;
    app?: { id: number } | null;
  };
}
export interface CheckSuitePayload extends Base {
  check_suite: Suite;
}
