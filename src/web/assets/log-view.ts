/// <reference lib="dom" />
// A virtualised log viewer: only the rows in view (plus a margin) are in the DOM, so a
// 100,000-line log scrolls as fast as a 10-line one. Follows the end while the step runs.
import { ansiToHtml } from './ansi.ts';
import { escapeHtml } from './format.ts';
import type { LogLines } from './log-lines.ts';

const ROW_PX = 20;
const MARGIN_ROWS = 40;

/** One mounted viewer; call `update` (batched by the caller) after lines were appended. */
export interface LogView {
  update(): void;
  /** Scrolls to a 1-based line and highlights it. */
  reveal(line: number): void;
  setFollow(on: boolean): void;
}

/** Mounts a viewer for `lines` into `host`; `anchor` prefixes the per-line fragment ids. */
export function mountLogView(host: HTMLElement, lines: LogLines, anchor: string, label: string): LogView {
  host.innerHTML = `<div class="log-tools"><span class="count" aria-live="off"></span>
<button type="button" class="follow" aria-pressed="true">Follow</button>
<button type="button" class="top">Top</button></div>
<div class="log" tabindex="0" role="region" aria-label="${escapeHtml(label)}"><div class="log-spacer"><div class="log-rows"></div></div></div>`;
  const box = host.querySelector('.log') as HTMLElement;
  const spacer = host.querySelector('.log-spacer') as HTMLElement;
  const rows = host.querySelector('.log-rows') as HTMLElement;
  const count = host.querySelector('.count') as HTMLElement;
  const follow = host.querySelector('.follow') as HTMLButtonElement;
  let following = true;
  let highlighted = 0;
  let revealPending = false;
  /** Set when the viewer itself jumped to a line: that scroll must not switch following on. */
  let jumped = false;
  let drawn = '';
  let frame = 0;

  const draw = (): void => {
    frame = 0;
    const total = lines.texts.length;
    spacer.style.height = `${Math.max(total, 1) * ROW_PX}px`;
    count.textContent = `${total.toLocaleString('en')} lines`;
    if (following) box.scrollTop = box.scrollHeight;
    if (revealPending && total >= highlighted) {
      revealPending = false;
      jumped = true;
      box.scrollTop = Math.max(0, (highlighted - 1) * ROW_PX - box.clientHeight / 3);
    }
    const first = Math.max(0, Math.floor(box.scrollTop / ROW_PX) - MARGIN_ROWS);
    const last = Math.min(total, Math.ceil((box.scrollTop + box.clientHeight) / ROW_PX) + MARGIN_ROWS);
    const key = `${first}:${last}:${highlighted}`;
    if (key === drawn) return;
    drawn = key;
    rows.style.transform = `translateY(${first * ROW_PX}px)`;
    rows.innerHTML = rowsHtml(lines, first, last, anchor, highlighted);
  };
  const schedule = (): void => {
    if (frame === 0) frame = requestAnimationFrame(draw);
  };
  const setFollow = (on: boolean): void => {
    following = on;
    follow.setAttribute('aria-pressed', String(on));
    schedule();
  };

  box.addEventListener('scroll', () => {
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - ROW_PX * 2;
    if (!jumped && following !== atEnd) setFollow(atEnd);
    jumped = false;
    schedule();
  });
  follow.addEventListener('click', () => setFollow(!following));
  (host.querySelector('.top') as HTMLElement).addEventListener('click', () => {
    setFollow(false);
    box.scrollTop = 0;
  });
  draw();
  return {
    update: draw,
    setFollow,
    reveal(line) {
      following = false;
      follow.setAttribute('aria-pressed', 'false');
      highlighted = line;
      revealPending = true;
      draw();
    },
  };
}

function rowsHtml(lines: LogLines, first: number, last: number, anchor: string, highlighted: number): string {
  let html = '';
  for (let i = first; i < last; i++) {
    const n = i + 1;
    const text = lines.texts[i] ?? '';
    const body = ansiToHtml(text, lines.starts[i]).html;
    const cls = `ln${lines.system.has(i) ? ' sys' : ''}${n === highlighted ? ' hl' : ''}`;
    html += `<div class="${cls}"><a class="n" href="#${anchor}-L${n}" tabindex="-1" aria-label="line ${n}">${n}</a><span class="t">${body}</span></div>`;
  }
  return html;
}
