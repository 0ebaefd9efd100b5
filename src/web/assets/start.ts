/// <reference lib="dom" />
// The start form (Wharf's start dialog): load a repository's refs, then the environments
// and inputs its pipeline declares at the chosen ref; start the build and open its page.
import { escapeHtml } from './format.ts';

interface StartInput {
  name: string;
  type: 'string' | 'password' | 'number' | 'choice';
  default: string | null;
  values: string[];
}
interface StartOptions {
  source: string;
  ref: string;
  refType: 'branch' | 'tag';
  refs: { branches: string[]; tags: string[]; defaultBranch: string | null };
  environments: string[];
  inputs: StartInput[];
  problem: string | null;
}

const data = JSON.parse(document.getElementById('berth-data')?.textContent ?? '{}') as { source: string };
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const repoForm = byId<HTMLFormElement>('start-repo');
const sourceField = byId<HTMLInputElement>('source');
const status = byId<HTMLElement>('start-status');
const form = byId<HTMLFormElement>('start');
const refField = byId<HTMLSelectElement>('ref');
const envField = byId<HTMLSelectElement>('environment');
const inputsBox = byId<HTMLElement>('inputs');
const errorBox = byId<HTMLElement>('start-error');
let current: StartOptions | null = null;

async function load(source: string, ref: string | null): Promise<void> {
  status.textContent = `Loading ${source}…`;
  errorBox.textContent = '';
  const query = new URLSearchParams({ source });
  if (ref) query.set('ref', ref);
  const res = await fetch(`/api/start-options?${query}`, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as StartOptions & { error?: string };
  if (!res.ok) {
    form.hidden = true;
    status.textContent = body.error ?? `Could not load ${source} (${res.status}).`;
    return;
  }
  current = body;
  render(body);
  status.textContent = body.problem ? `Note: ${body.problem}.` : `${body.source} at ${body.ref}.`;
  form.hidden = false;
}

function options(values: string[], selected: string): string {
  return values
    .map(
      (v) => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`,
    )
    .join('');
}

function render(o: StartOptions): void {
  const branches =
    o.refs.branches.includes(o.ref) || o.refType === 'tag' ? o.refs.branches : [o.ref, ...o.refs.branches];
  refField.innerHTML =
    `<optgroup label="Branches">${options(branches, o.refType === 'branch' ? o.ref : '')}</optgroup>` +
    (o.refs.tags.length
      ? `<optgroup label="Tags">${options(o.refs.tags, o.refType === 'tag' ? o.ref : '')}</optgroup>`
      : '');
  byId('environment-field').hidden = o.environments.length === 0;
  envField.innerHTML = options(o.environments, o.environments[0] ?? '');
  byId('inputs-field').hidden = o.inputs.length === 0;
  inputsBox.innerHTML = o.inputs.map(field).join('');
}

function field(input: StartInput): string {
  const name = `input-${escapeHtml(input.name)}`;
  const label = escapeHtml(input.name);
  const value = input.default === null ? '' : escapeHtml(input.default);
  if (input.type === 'choice')
    return `<label>${label} <select name="${name}" data-input="${label}">${options(input.values, input.default ?? '')}</select></label>`;
  if (input.type === 'password')
    return `<label>${label} <input type="password" name="${name}" data-input="${label}" autocomplete="new-password"></label>`;
  const type = input.type === 'number' ? 'number" step="any' : 'text';
  return `<label>${label} <input type="${type}" name="${name}" data-input="${label}" value="${value}"></label>`;
}

async function start(): Promise<void> {
  if (!current) return;
  const button = byId<HTMLButtonElement>('start-button');
  button.disabled = true;
  errorBox.textContent = '';
  const inputs: Record<string, string> = {};
  for (const el of inputsBox.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-input]')) {
    if (el.value !== '') inputs[el.dataset.input ?? ''] = el.value;
  }
  const chosen = refField.selectedOptions[0];
  const body = {
    source: current.source,
    ref: refField.value,
    refType: chosen?.parentElement?.getAttribute('label') === 'Tags' ? 'tag' : 'branch',
    ...(current.environments.length ? { environment: envField.value } : {}),
    inputs,
  };
  try {
    const res = await fetch('/api/builds', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as { id?: string; error?: string };
    if (res.ok && answer.id) {
      location.assign(`/builds/${encodeURIComponent(answer.id)}`);
      return;
    }
    errorBox.textContent = `Could not start: ${answer.error ?? res.statusText}`;
  } catch {
    errorBox.textContent = 'Could not start: the server did not answer.';
  } finally {
    // Password values are not kept in the page once sent.
    for (const el of inputsBox.querySelectorAll<HTMLInputElement>('input[type="password"]')) el.value = '';
    button.disabled = false;
  }
}

repoForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (sourceField.value) void load(sourceField.value.trim(), null);
});
refField.addEventListener('change', () => {
  if (current) void load(current.source, refField.value);
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void start();
});
if (data.source) void load(data.source, null);
