// The start form's shell; start.ts loads the refs, environments and inputs into it.
import { escapeHtml } from '../assets/format.ts';

/** The data block the start page's module reads. */
export interface StartPageData {
  /** `github:owner/name` to load at once, or ''. */
  source: string;
  /** Repositories of the viewer's forge with recent builds they can read, as sources. */
  known: string[];
}

/** `/start`: repository, then ref, environment and inputs once the repository is loaded. */
export function startMain(data: StartPageData, forge: 'github' | 'gitlab'): string {
  const known = data.known.map((s) => `<option value="${escapeHtml(s)}"></option>`).join('');
  const placeholder = forge === 'github' ? 'github:owner/name' : 'gitlab:group/project';
  return `<h1>Start a build</h1>
<form id="start-repo" class="filters" aria-label="Which repository">
  <label>Repository <input id="source" name="source" value="${escapeHtml(data.source)}" list="known" autocomplete="off" required placeholder="${placeholder}" pattern="(github|gitlab):[\\w.\\-]+(/[\\w.\\-]+)+"></label>
  <datalist id="known">${known}</datalist>
  <button type="submit">Load</button>
</form>
<p id="start-status" role="status" aria-live="polite"></p>
<form id="start" class="start-form" hidden>
  <fieldset>
    <legend>What to build</legend>
    <label>Branch or tag <select id="ref" name="ref" required></select></label>
    <label id="environment-field">Environment <select id="environment" name="environment"></select></label>
  </fieldset>
  <fieldset id="inputs-field">
    <legend>Inputs</legend>
    <div id="inputs"></div>
  </fieldset>
  <p id="start-error" class="error" role="alert"></p>
  <button type="submit" id="start-button">Start build</button>
</form>
<noscript><p>The start form needs JavaScript; scripts can use <code>POST /api/builds</code>.</p></noscript>`;
}
