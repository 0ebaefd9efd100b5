/// <reference lib="dom" />
// The build page: header, stage/step timeline, per-step logs followed live over SSE.
import type { BuildRecord } from '../../builds/types.ts';
import type { LogEntry } from '../../logs/types.ts';
import { wireActions } from './actions.ts';
import { durationBetween, type ForgeLinks, isFinal } from './format.ts';
import { createLogLines, type LogLines } from './log-lines.ts';
import { buildHeader } from './render.ts';
import { createTimeline } from './timeline.ts';

const POLL_MS = 2000;

/** One log line on the wire: `[stage, step, stream, time, text]`, or an entry object. */
type WireLine = [string, string, string, number, string] | LogEntry;
const isTuple = (value: unknown): value is [string, string, string, number, string] =>
  Array.isArray(value) && typeof value[0] === 'string';

interface BuildData {
  build: BuildRecord;
  links: ForgeLinks;
  canAct: boolean;
  /** The start of the log, read by the server with the page; the stream resumes after it. */
  log?: { lines: WireLine[]; after: string };
}

const data = JSON.parse(document.getElementById('berth-data')?.textContent ?? '{}') as BuildData;
const header = document.getElementById('build-header') as HTMLElement;
const announce = document.getElementById('build-announce') as HTMLElement;
const logs = new Map<string, LogLines>();
const linesOf = (stage: string, step: string): LogLines => {
  const key = `${stage}\u0000${step}`;
  const found = logs.get(key);
  if (found) return found;
  const lines = createLogLines();
  logs.set(key, lines);
  return lines;
};
const timeline = createTimeline(document.getElementById('timeline') as HTMLElement, linesOf);
const actions = wireActions(document.getElementById('build-actions') as HTMLElement, data.build.id);
let build = data.build;
let lastStatus = '';

/** Adds wire lines to their steps' logs; returns the steps (`stage\0step`) that grew. */
function take(items: WireLine[]): Set<string> {
  const grown = new Set<string>();
  for (const item of items) {
    const [stage, step, stream, text] = isTuple(item)
      ? [item[0], item[1], item[2], item[4]]
      : [item.stage, item.step, item.stream, item.text];
    linesOf(stage, step).push(text, stream === 'system');
    grown.add(`${stage}\u0000${step}`);
  }
  return grown;
}

function show(update: BuildRecord): void {
  // The API masks password inputs as the page does (and every input until the build is planned).
  const next = update;
  build = next;
  const now = Date.now();
  if (next.status !== lastStatus) {
    header.innerHTML = buildHeader(next, data.links, now);
    document.title = `${next.status} · ${next.request.repo} #${next.buildRef} · Berth`;
    if (lastStatus) announce.textContent = `Build is now ${next.status}.`;
    lastStatus = next.status;
    if (data.canAct) actions.render(next.status);
  } else {
    const duration = document.getElementById('build-duration');
    if (duration) duration.textContent = durationBetween(next.startedAt, next.finishedAt, now) || '—';
  }
  timeline.show(next, now);
}

async function poll(): Promise<void> {
  try {
    const res = await fetch(`/api/builds/${encodeURIComponent(build.id)}`, {
      headers: { accept: 'application/json' },
    });
    if (res.ok) show((await res.json()) as BuildRecord);
  } catch {
    // The next poll tries again.
  }
  if (!isFinal(build.status)) setTimeout(poll, POLL_MS);
}

function follow(after: string | undefined): void {
  const query = after ? `?after=${encodeURIComponent(after)}` : '';
  const source = new EventSource(`/api/builds/${encodeURIComponent(build.id)}/logs${query}`);
  let pending = new Set<string>();
  let frame = 0;
  let flushedAt = 0;
  const flush = (): void => {
    cancelAnimationFrame(frame);
    frame = 0;
    flushedAt = performance.now();
    for (const key of pending) timeline.linesChanged(key);
    pending = new Set();
  };
  const onLine = (event: MessageEvent<string>): void => {
    // `lines` events: [stage, step, stream, time, text] arrays; `line` events: one entry or an array of them.
    const parsed = JSON.parse(event.data) as WireLine | WireLine[];
    const items = Array.isArray(parsed) && !isTuple(parsed) ? parsed : [parsed as WireLine];
    for (const key of take(items)) pending.add(key);
    // A flood of events can starve animation frames: redraw at least every 100 ms.
    if (performance.now() - flushedAt > 100) flush();
    else if (frame === 0) frame = requestAnimationFrame(flush);
  };
  source.addEventListener('lines', onLine);
  source.addEventListener('line', onLine);
  source.addEventListener('message', onLine);
  source.addEventListener('end', () => {
    source.close();
    flush();
  });
  source.addEventListener('error', () => {
    if (isFinal(build.status)) source.close();
  });
}

// The lines the page came with are in place before the steps' logs mount.
const first = take(data.log?.lines ?? []);
show(build);
for (const key of first) timeline.linesChanged(key);
follow(data.log?.after);
if (!isFinal(build.status)) setTimeout(poll, POLL_MS);
window.addEventListener('hashchange', () => timeline.revealHash(location.hash));
timeline.revealHash(location.hash);
