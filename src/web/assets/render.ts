// Pure HTML builders for the pages (no DOM): status badges, list rows, the build header.
import type { BuildRecord, StepRecord } from '../../builds/types.ts';
import { commitUrl, durationBetween, escapeHtml, type ForgeLinks, shortSha, timeAgo } from './format.ts';

const ICONS: Record<string, string> = {
  queued: '○',
  pending: '○',
  running: '●',
  success: '✓',
  failed: '✗',
  error: '!',
  cancelled: '⊘',
  skipped: '↷',
  reused: '♻',
};

/** A coloured status pill with an icon and the word (colour is never the only cue). */
export function badge(status: string): string {
  const s = escapeHtml(status);
  return `<span class="badge st-${s}"><span aria-hidden="true">${ICONS[status] ?? '?'}</span> ${s}</span>`;
}

/** Branch/tag name plus the PR/MR number when there is one. */
export function refLabel(record: BuildRecord): string {
  const change =
    record.request.change === undefined ? '' : ` <span class="change">!${record.request.change}</span>`;
  return `<span class="ref">${escapeHtml(record.request.ref)}</span>${change}`;
}

/** One row of the builds table. */
export function listRow(b: BuildRecord, now: number): string {
  const started = b.startedAt ?? b.createdAt;
  return `<tr data-id="${escapeHtml(b.id)}" data-status="${escapeHtml(b.status)}">
<td data-label="Build"><a href="/builds/${encodeURIComponent(b.id)}">${escapeHtml(b.request.repo)} <span class="num">#${b.buildRef}</span></a></td>
<td data-label="Ref">${refLabel(b)}</td>
<td data-label="Commit"><code>${escapeHtml(shortSha(b.sha ?? b.request.sha))}</code></td>
<td data-label="Trigger">${escapeHtml(b.request.trigger)}</td>
<td data-label="Status">${badge(b.status)}</td>
<td data-label="Duration">${durationBetween(b.startedAt, b.finishedAt, now)}</td>
<td data-label="Started"><time datetime="${escapeHtml(started)}" title="${escapeHtml(started)}">${timeAgo(started, now)}</time></td>
</tr>`;
}

/** The build page's header: title, status and the facts of the request. */
export function buildHeader(b: BuildRecord, links: ForgeLinks, now: number): string {
  const sha = b.sha ?? b.request.sha ?? null;
  const url = commitUrl(b, links);
  const commit = url
    ? `<a href="${escapeHtml(url)}"><code>${escapeHtml(shortSha(sha))}</code></a>`
    : `<code>${escapeHtml(shortSha(sha))}</code>`;
  const facts: [string, string, string?][] = [
    ['Ref', refLabel(b)],
    ['Commit', commit + (b.request.commit?.subject ? ` ${escapeHtml(b.request.commit.subject)}` : '')],
    ['Trigger', escapeHtml(b.request.trigger)],
    ['Actor', escapeHtml(b.request.actor ?? '—')],
    ['Environment', escapeHtml(b.request.environment ?? '—')],
    ['Duration', durationBetween(b.startedAt, b.finishedAt, now) || '—', 'build-duration'],
    ['Queued', `<time datetime="${escapeHtml(b.createdAt)}">${timeAgo(b.createdAt, now)}</time>`],
  ];
  const inputs = Object.entries(b.request.inputs ?? {});
  if (inputs.length > 0) {
    const list = inputs.map(([k, v]) => `<code>${escapeHtml(k)}</code>=<code>${escapeHtml(v)}</code>`);
    facts.push(['Inputs', list.join(' ')]);
  }
  const message = b.message
    ? `<p class="message">${escapeHtml(b.reason ? `${b.reason}: ` : '')}${escapeHtml(b.message)}</p>`
    : '';
  return `<h1>${escapeHtml(b.request.repo)} <span class="num">#${b.buildRef}</span></h1>
<p class="status-line">Status: ${badge(b.status)}</p>
${message}
<dl class="facts">${facts.map(([k, v, id]) => `<div><dt>${k}</dt><dd${id ? ` id="${id}"` : ''}>${v}</dd></div>`).join('')}</dl>`;
}

/** The clickable summary of one step: status, name, duration, why it failed. */
export function stepSummary(step: StepRecord, now: number): string {
  const why =
    step.status === 'failed' || step.status === 'error'
      ? `<span class="why">${escapeHtml(
          [step.exitCode === null ? '' : `exit ${step.exitCode}`, step.reason ?? '', step.message ?? '']
            .filter(Boolean)
            .join(' · '),
        )}</span>`
      : step.status === 'reused' && step.reusedFrom
        ? `<span class="why">from build ${escapeHtml(step.reusedFrom)}</span>`
        : '';
  return `${badge(step.status)} <span class="step-name">${escapeHtml(step.name)}</span> <span class="dur">${durationBetween(step.startedAt, step.finishedAt, now)}</span> ${why}`;
}
