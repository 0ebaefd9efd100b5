// The HTML shells of the pages; the page modules fill in and update the live parts.
import { escapeHtml } from '../assets/format.ts';

const STATES = ['queued', 'running', 'success', 'failed', 'error', 'cancelled'];

/** `/`: filter form, the builds table and a live region announcing changes. */
export function listMain(filter: { repo: string; status: string }, repos: string[]): string {
  const options = ['', ...STATES]
    .map((s) => `<option value="${s}"${s === filter.status ? ' selected' : ''}>${s || 'any'}</option>`)
    .join('');
  const repoOptions = repos.map((r) => `<option value="${escapeHtml(r)}"></option>`).join('');
  return `<h1>Builds</h1>
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
export function buildMain(): string {
  return `<div id="build-header"></div>
<div id="build-actions" class="actions"></div>
<p id="action-result" class="action-result" role="status" aria-live="polite"></p>
<p id="build-announce" class="visually-hidden" aria-live="polite"></p>
<section id="timeline" aria-label="Stages and steps"></section>
<noscript><p>The build page needs JavaScript; the JSON and the log are under /api/builds.</p></noscript>`;
}

/** `/signin`: trade the API token for a session cookie. */
export function signInMain(next: string, failed: boolean, enabled: boolean): string {
  if (!enabled) {
    return '<h1>Sign in</h1><p>Signing in is off: this Berth has no <code>BERTH_API_TOKEN</code>, so its pages are read-only.</p>';
  }
  const error = failed ? '<p class="error" role="alert">That token is not valid.</p>' : '';
  return `<h1>Sign in</h1>
<p>Paste <code>BERTH_API_TOKEN</code> to cancel and rerun builds from these pages. The browser keeps a session cookie derived from it, never the token.</p>
${error}
<form class="signin" method="post" action="/session">
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <label>API token <input type="password" name="token" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>`;
}

/** A plain page for unknown builds. */
export function notFoundMain(what: string): string {
  return `<h1>Not found</h1><p>${escapeHtml(what)}</p><p><a href="/">All builds</a></p>`;
}
