// Pure helpers shared by the server (HTML shells) and the browser modules.
import type { BuildRecord } from '../../builds/types.ts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The first 7 characters of a commit sha, or an em dash when unknown. */
export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : '—';
}

/** `1h 02m`, `3m 04s`, `12s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Duration between two ISO times; a running thing counts up to `now`. Empty when not started. */
export function durationBetween(start: string | null, end: string | null, now: number): string {
  if (!start) return '';
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isFinite(from) && Number.isFinite(to) ? formatDuration(to - from) : '';
}

/** `just now`, `5 min ago`, `3 h ago`, or a date for anything older than two days. */
export function timeAgo(iso: string | null, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** Web base URLs of the forges, for commit links. */
export interface ForgeLinks {
  github: string;
  gitlab: string;
}

/** The forge page of the build's commit, or null (local builds, unknown sha). */
export function commitUrl(record: BuildRecord, links: ForgeLinks): string | null {
  const sha = record.sha ?? record.request.sha;
  if (!sha) return null;
  const repo = record.request.repo.split('/').map(encodeURIComponent).join('/');
  if (record.request.forge === 'github') return `${trimSlash(links.github)}/${repo}/commit/${sha}`;
  if (record.request.forge === 'gitlab') return `${trimSlash(links.gitlab)}/${repo}/-/commit/${sha}`;
  return null;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Whether a build or step state is final. */
export function isFinal(status: string): boolean {
  return status !== 'queued' && status !== 'running' && status !== 'pending';
}
