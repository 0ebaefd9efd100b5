// The HTML shells of the pages; the page modules fill in and update the live parts.
import { buildStates } from '../../vocab/index.ts';
import { escapeHtml } from '../assets/format.ts';

/** `/`: filter form, the builds table and a live region announcing changes. */
export function listMain(
  filter: { repo: string; status: string },
  repos: string[],
  startHref: string | null = null,
): string {
  const options = ['', ...buildStates]
    .map((s) => `<option value="${s}"${s === filter.status ? ' selected' : ''}>${s || 'any'}</option>`)
    .join('');
  const repoOptions = repos.map((r) => `<option value="${escapeHtml(r)}"></option>`).join('');
  const start = startHref ? `<a class="button start" href="${escapeHtml(startHref)}">Start a build</a>` : '';
  return `<div class="title-row"><h1>Builds</h1>${start}</div>
<form class="filters" method="get" action="/" role="search" aria-label="Filter builds">
  <label>Repository <input name="repo" value="${escapeHtml(filter.repo)}" list="repos" autocomplete="off" placeholder="owner/name"></label>
  <datalist id="repos">${repoOptions}</datalist>
  <label>Status <select name="status">${options}</select></label>
  <button type="submit">Filter</button>
</form>
<div class="table-wrap">
<table class="builds">
  <caption class="visually-hidden">Recent builds, newest first</caption>
  <thead><tr><th scope="col">Build</th><th scope="col">Ref</th><th scope="col">Commit</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Started</th></tr></thead>
  <tbody id="builds"></tbody>
</table>
</div>
<p id="empty" class="empty" hidden>No builds match. Builds appear here when a forge sends a push or a pull/merge request, or when one is started with <code>POST /api/builds</code>.</p>
<p id="announce" class="visually-hidden" aria-live="polite"></p>
<noscript><p>The list needs JavaScript; the JSON is at <a href="/api/builds">/api/builds</a>.</p></noscript>`;
}

/** `/builds/:id`: header, actions, timeline; filled in by build.ts. */
export function buildMain(startHref: string | null = null): string {
  const start = startHref
    ? `<p class="start-link"><a href="${escapeHtml(startHref)}">Start another build of this repository</a></p>`
    : '';
  return `<div id="build-header"></div>${start}
<div id="build-actions" class="actions"></div>
<p id="action-result" class="action-result" role="status" aria-live="polite"></p>
<p id="build-announce" class="visually-hidden" aria-live="polite"></p>
<section id="timeline" aria-label="Stages and steps"></section>
<noscript><p>The build page needs JavaScript; the JSON and the log are under /api/builds.</p></noscript>`;
}

/** The ways to sign in this Berth offers. */
export interface SignInChoices {
  admin: boolean;
  github: boolean;
  gitlab: boolean;
}

const FAILURES: Record<string, string> = {
  token: 'That token is not valid.',
  github: 'Signing in with GitHub did not work. Try again.',
  gitlab: 'Signing in with GitLab did not work. Try again.',
  off: 'That way of signing in is not set up on this Berth.',
};

/** `/signin` (and every page when signed out): sign in with a forge, or with the admin token. */
export function signInMain(next: string, failed: string | null, choices: SignInChoices): string {
  const error =
    failed !== null
      ? `<p class="error" role="alert">${escapeHtml(FAILURES[failed] ?? FAILURES.github ?? '')}</p>`
      : '';
  const back = encodeURIComponent(next);
  const forges = [
    choices.github
      ? `<a class="button forge" href="/auth/github/login?next=${back}">Sign in with GitHub</a>`
      : '',
    choices.gitlab
      ? `<a class="button forge" href="/auth/gitlab/login?next=${back}">Sign in with GitLab</a>`
      : '',
  ].join('');
  const admin = choices.admin
    ? `<details class="admin-signin"${forges ? '' : ' open'}><summary>Operators: sign in with the admin token</summary>
<form class="signin" method="post" action="/session">
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <label>API token <input type="password" name="token" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form></details>`
    : '';
  const none =
    !forges && !admin
      ? '<p>Signing in is off: set <code>GITHUB_CLIENT_ID</code>/<code>GITHUB_CLIENT_SECRET</code>, <code>GITLAB_OAUTH_CLIENT_ID</code>/<code>GITLAB_OAUTH_CLIENT_SECRET</code> or <code>BERTH_API_TOKEN</code>.</p>'
      : '';
  return `<h1>Sign in</h1>
<p>Sign in to see the builds of the repositories you can read, and to cancel, rerun and start builds where you can write.</p>
${error}<div class="signin-choices">${forges}</div>
${admin}${none}`;
}

/** A plain page for unknown builds. */
export function notFoundMain(what: string): string {
  return `<h1>Not found</h1><p>${escapeHtml(what)}</p><p><a href="/">All builds</a></p>`;
}
