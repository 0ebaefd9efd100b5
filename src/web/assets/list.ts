/// <reference lib="dom" />
// The builds list: renders the embedded builds, then polls the JSON API and updates in place.
import type { BuildRecord } from '../../builds/types.ts';
import { listRow } from './render.ts';

const POLL_MS = 3000;

interface ListData {
  builds: BuildRecord[];
  filter: { repo: string; status: string };
}

const data = JSON.parse(document.getElementById('berth-data')?.textContent ?? '{}') as ListData;
const body = document.getElementById('builds') as HTMLTableSectionElement;
const empty = document.getElementById('empty') as HTMLElement;
const announce = document.getElementById('announce') as HTMLElement;
let known = new Map(data.builds.map((b) => [b.id, b.status]));

function render(builds: BuildRecord[]): void {
  const now = Date.now();
  body.innerHTML = builds.map((b) => listRow(b, now)).join('');
  empty.hidden = builds.length > 0;
}

function announceChanges(builds: BuildRecord[]): void {
  const changes = builds
    .filter((b) => known.has(b.id) && known.get(b.id) !== b.status)
    .map((b) => `${b.request.repo} #${b.buildRef} is ${b.status}`);
  known = new Map(builds.map((b) => [b.id, b.status]));
  if (changes.length > 0) announce.textContent = changes.join('. ');
}

async function refresh(): Promise<void> {
  const query = new URLSearchParams({ limit: '50' });
  if (data.filter.repo) query.set('repo', data.filter.repo);
  if (data.filter.status) query.set('status', data.filter.status);
  try {
    const res = await fetch(`/api/builds?${query}`, { headers: { accept: 'application/json' } });
    if (!res.ok) return;
    const json = (await res.json()) as BuildRecord[] | { builds: BuildRecord[] };
    const all = Array.isArray(json) ? json : json.builds;
    const builds = data.filter.status ? all.filter((b) => b.status === data.filter.status) : all;
    announceChanges(builds);
    render(builds);
  } catch {
    // Offline for a moment: the next poll tries again.
  }
}

render(data.builds);
setInterval(() => {
  if (!document.hidden) void refresh();
}, POLL_MS);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void refresh();
});
