import type { FakeGithub } from '../../support/fake-github.ts';
import { example } from './harness.ts';

/** The head commit most tests build. */
export const SHA = 'a'.repeat(40);

/** A branch `push` delivery of `sha` with a head commit message. */
export function pushPayload(sha = SHA, message = 'Update README') {
  const p = example('push', undefined, (x) => String(x.ref).startsWith('refs/heads/'));
  p.after = sha;
  p.deleted = false;
  p.head_commit = { ...p.head_commit, message };
  return p;
}

/** A `pull_request` delivery for PR #5 of acme/app (from `<author>/app` when `fork`). */
export function prPayload(action: string, sha: string, fork: boolean, author = 'stranger') {
  const p = example('pull_request', action === 'synchronize' ? 'synchronize' : action);
  p.action = action;
  p.number = 5;
  p.pull_request.number = 5;
  p.pull_request.state = action === 'closed' ? 'closed' : 'open';
  p.pull_request.user.login = author;
  p.pull_request.head.sha = sha;
  p.pull_request.head.ref = 'feature';
  p.pull_request.head.repo.full_name = fork ? `${author}/app` : 'acme/app';
  p.pull_request.base.repo.full_name = 'acme/app';
  return p;
}

/** An `issue_comment.created` delivery on PR #5. */
export function commentPayload(body: string, login: string) {
  const p = example('issue_comment', 'created');
  p.issue.number = 5;
  p.issue.pull_request = { url: 'https://api.github.com/repos/acme/app/pulls/5' };
  p.comment.body = body;
  p.comment.created_at = new Date().toISOString();
  p.comment.user.login = login;
  p.comment.user.type = 'User';
  p.sender.login = login;
  return p;
}

/** PR #5 as `GET /repos/acme/app/pulls/5` shows it. */
export function openPr(fake: FakeGithub, sha: string, fork: boolean, author = 'stranger') {
  fake.pulls.set(5, {
    number: 5,
    state: 'open',
    user: { login: author },
    head: { sha, ref: 'feature', repo: { full_name: fork ? `${author}/app` : 'acme/app' } },
    base: { repo: { full_name: 'acme/app' } },
  });
}

/** A `pull_request` delivery by `dev` for PR `change` at `commit` (same repository), mirrored in the fake's PR store. */
export function devPr(fake: FakeGithub, commit: string, change: number, action = 'opened') {
  const p = example('pull_request', 'opened');
  p.action = action;
  p.number = change;
  Object.assign(p.pull_request, { number: change, state: action === 'closed' ? 'closed' : 'open' });
  p.pull_request.user.login = 'dev';
  Object.assign(p.pull_request.head, { sha: commit, ref: `feature-${change}` });
  p.pull_request.head.repo.full_name = 'acme/app';
  p.pull_request.base.repo.full_name = 'acme/app';
  fake.pulls.set(change, {
    number: change,
    state: p.pull_request.state,
    user: { login: 'dev' },
    head: { sha: commit, ref: `feature-${change}`, repo: { full_name: 'acme/app' } },
    base: { repo: { full_name: 'acme/app' } },
  });
  return p;
}

/** An `issue_comment` by `dev` on PR `change`. */
export function devComment(body: string, change: number) {
  const p = example('issue_comment', 'created');
  p.issue.number = change;
  p.issue.pull_request = { url: 'x' };
  Object.assign(p.comment, { body, user: { login: 'dev', type: 'User' } });
  p.sender.login = 'dev';
  return p;
}

/** Retries `check` until it passes (the worker reports after it stores each record). */
export async function eventually(check: () => void, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
