import { secretInputValues, shownInputs } from '../builds/inputs.ts';
import type { BuildRecord, StepRecord } from '../builds/types.ts';
import type { Diagnostic } from '../pipeline/types.ts';
import { buildUrl, stepProblem } from './status.ts';
import { cell, duration, fenceFor, keepTail, redact, shorten } from './text.ts';

/** The hidden marker that identifies Berth's one summary comment on a PR/MR. */
export const SUMMARY_MARKER = '<!-- berth:summary -->';
/** GitHub's comment body limit. */
export const GITHUB_COMMENT_MAX = 65_536;
/** GitLab's note body limit. */
export const GITLAB_NOTE_MAX = 1_000_000;

/** The last lines of one failed step's log (already redacted by the log store). */
export interface StepTail {
  stage: string;
  step: string;
  lines: string[];
}

/** What every rendered report needs besides the build. */
export interface RenderOptions {
  publicUrl: string | null;
  /** Maximum characters of the whole text. */
  max: number;
  /** Values that must never appear (redacted again here, whatever the source). */
  secrets?: readonly string[];
}

const ICON: Record<string, string> = {
  success: '✅',
  failed: '❌',
  error: '⚠️',
  cancelled: '⏹️',
  skipped: '⏭️',
  reused: '♻️',
  running: '🔄',
  pending: '⏳',
  queued: '⏳',
};
const RESULT: Record<string, string> = { success: 'passed', failed: 'failed', error: 'errored' };

/** The summary comment of a build: result, per-step table, failed steps' log tails, link. */
export function renderSummary(record: BuildRecord, tails: StepTail[], options: RenderOptions): string {
  const url = buildUrl(options.publicUrl, record.id);
  const result = RESULT[record.status] ?? record.status;
  const sha = record.sha ?? record.request.sha ?? '';
  const head = [
    SUMMARY_MARKER,
    `### ${ICON[record.status] ?? ''} Berth build #${record.buildRef} ${result}`,
    '',
    `\`${record.context}\` at \`${sha.slice(0, 12)}\`${url ? ` · [full log](${url})` : ''}`,
    ...(record.message && record.status !== 'success' ? ['', `> ${cell(record.message)}`] : []),
    ...inputsLines(record),
    '',
    stepTable(record, options.publicUrl),
  ].join('\n');
  return fit(
    head,
    tails,
    { ...options, secrets: [...(options.secrets ?? []), ...secretInputValues(record)] },
    url,
  );
}

/** `inputs: `greeting`=`hello`, `apiauth`=`***`` (password inputs masked), or nothing. */
export function inputsLines(record: Pick<BuildRecord, 'request' | 'secretInputs'>): string[] {
  const inputs = Object.entries(shownInputs(record));
  if (inputs.length === 0) return [];
  return ['', `inputs: ${inputs.map(([k, v]) => `\`${cell(k)}\`=\`${cell(v)}\``).join(', ')}`];
}

/** The per-step table: stage, step, status, duration; a reused step links the build that ran it. */
export function stepTable(record: BuildRecord, publicUrl: string | null = null): string {
  const rows = record.stages.flatMap((stage) =>
    stage.steps.map(
      (step) =>
        `| ${cell(stage.name)} | ${cell(step.name)} | ${statusCell(step, publicUrl)} | ${took(step)} |`,
    ),
  );
  if (rows.length === 0) return '_No steps ran._';
  return ['| stage | step | status | duration |', '|---|---|---|---|', ...rows].join('\n');
}

const statusCell = (step: StepRecord, publicUrl: string | null): string => {
  if (step.status === 'reused' && step.reusedFrom) {
    const url = buildUrl(publicUrl, step.reusedFrom);
    const from = cell(step.reusedFrom);
    return `${ICON.reused} reused from ${url ? `[${from}](${url})` : `\`${from}\``}`;
  }
  const text =
    step.status === 'failed' || step.status === 'error'
      ? `${step.status}: ${stepProblem(step)}`
      : step.status;
  return `${ICON[step.status] ?? ''} ${cell(text)}`;
};
const took = (step: StepRecord): string => duration(step.startedAt, step.finishedAt) || '—';

/** The log tails as Markdown, each cut to `budget` characters. */
export function renderTails(tails: StepTail[], budget: number): string {
  return tails
    .map((t) => {
      const body = keepTail(t.lines.join('\n'), budget);
      const fence = fenceFor(body);
      return [
        `<details open><summary><code>${t.stage}/${t.step}</code>: last lines of the log</summary>`,
        '',
        `${fence}text`,
        body,
        fence,
        '</details>',
      ].join('\n');
    })
    .join('\n\n');
}

function fit(head: string, tails: StepTail[], options: RenderOptions, url: string | undefined): string {
  const secrets = options.secrets ?? [];
  const footer = url ? `\n\n[Full log and build details](${url})` : '';
  const safeHead = redact(head, secrets);
  const room = options.max - safeHead.length - footer.length - 2;
  const perTail = tails.length > 0 ? Math.floor(room / tails.length) - 200 : 0;
  const tailText = perTail > 0 ? redact(renderTails(tails, perTail), secrets) : '';
  const body = tailText ? `${safeHead}\n\n${tailText}${footer}` : `${safeHead}${footer}`;
  return shorten(body, options.max);
}

/** The comment for a `.wharf-ci.yml` that does not parse or validate: every problem with FILE:LINE:COL. */
export function renderConfigErrors(
  record: Pick<BuildRecord, 'id' | 'sha' | 'context' | 'request' | 'secretInputs'>,
  diagnostics: Diagnostic[],
  options: RenderOptions,
): string {
  const url = buildUrl(options.publicUrl, record.id);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const lines = diagnostics.map(
    (d) =>
      `- \`${d.file}:${d.line}:${d.col}\` ${d.severity}: ${cell(d.message)}${d.path ? ` (\`${d.path}\`)` : ''}`,
  );
  const text = [
    SUMMARY_MARKER,
    '### ❌ Berth: the pipeline file is invalid',
    '',
    `${errors} error${errors === 1 ? '' : 's'} in \`${record.context}\` at \`${(record.sha ?? '').slice(0, 12)}\`; nothing was built.`,
    '',
    ...lines,
    ...(url ? ['', `[Build details](${url})`] : []),
  ].join('\n');
  return shorten(redact(text, [...(options.secrets ?? []), ...secretInputValues(record)]), options.max);
}

/** Parses `FILE:LINE:COL: severity: message` lines (as `berth lint` prints them) back into diagnostics. */
export function diagnosticsFromText(text: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.+?):(\d+):(\d+):\s*(error|warning):\s*(.*?)(?: \[([^\]]*)\])?$/.exec(line.trim());
    if (m) {
      const [, file = '', l = '0', c = '0', severity, message = '', path = ''] = m;
      found.push({
        file,
        line: Number(l),
        col: Number(c),
        severity: severity as Diagnostic['severity'],
        path,
        message,
      });
    }
  }
  return found;
}
