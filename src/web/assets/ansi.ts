// ANSI SGR (colour/style) escape sequences → HTML spans with classes. Pure; shared by
// the browser log viewer and tests. Text is HTML-escaped; colours are classes (no
// inline styles, so a strict Content-Security-Policy holds).
import { escapeHtml } from './format.ts';

/** The style in force at some point of a log: 0–255 palette colours or null for default. */
export interface SgrState {
  readonly fg: number | null;
  readonly bg: number | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly strike: boolean;
}

/** No colours, no styles. */
export const PLAIN: SgrState = Object.freeze({
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  strike: false,
});

// CSI sequences (any final byte), OSC sequences (ended by BEL or ST) and lone ESC pairs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const ESCAPE = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;

/** Converts one log line to HTML, starting in `start`; returns the HTML and the style at its end. */
export function ansiToHtml(line: string, start: SgrState = PLAIN): { html: string; end: SgrState } {
  const text = afterCarriageReturn(line);
  let state = start;
  let html = '';
  let last = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(text); m !== null; m = ESCAPE.exec(text)) {
    html += span(text.slice(last, m.index), state);
    last = ESCAPE.lastIndex;
    if (m[2] === 'm') state = applySgr(state, m[1] ?? '');
  }
  html += span(text.slice(last), state);
  return { html, end: state };
}

/** The style in force after `line`, without building HTML (cheap when the line has no escapes). */
export function sgrAfter(line: string, start: SgrState = PLAIN): SgrState {
  if (!line.includes('\x1b')) return start;
  let state = start;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(line); m !== null; m = ESCAPE.exec(line)) {
    if (m[2] === 'm') state = applySgr(state, m[1] ?? '');
  }
  return state;
}

/** Terminal progress bars rewrite a line with `\r`: keep what was last drawn. */
function afterCarriageReturn(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = trimmed.lastIndexOf('\r');
  return cr === -1 ? trimmed : trimmed.slice(cr + 1);
}

function span(text: string, state: SgrState): string {
  if (text === '') return '';
  const classes = classesOf(state);
  return classes ? `<span class="${classes}">${escapeHtml(text)}</span>` : escapeHtml(text);
}

function classesOf(s: SgrState): string {
  const out: string[] = [];
  if (s.fg !== null) out.push(`f${s.fg}`);
  if (s.bg !== null) out.push(`b${s.bg}`);
  if (s.bold) out.push('sb');
  if (s.dim) out.push('sd');
  if (s.italic) out.push('si');
  if (s.underline) out.push('su');
  if (s.strike) out.push('ss');
  return out.join(' ');
}

/** Applies one SGR parameter list (`1;31`, `38;5;208`, `38;2;255;0;0`, `` = reset). */
export function applySgr(start: SgrState, params: string): SgrState {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  const s = { ...start };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? 0;
    if (code === 38 || code === 48) {
      const [colour, used] = extendedColour(codes, i + 1);
      i += used;
      if (colour !== undefined) s[code === 38 ? 'fg' : 'bg'] = colour;
      continue;
    }
    applyCode(s, code);
  }
  return s;
}

function applyCode(s: { -readonly [K in keyof SgrState]: SgrState[K] }, code: number): void {
  if (code === 0) Object.assign(s, PLAIN);
  else if (code === 1) s.bold = true;
  else if (code === 2) s.dim = true;
  else if (code === 3) s.italic = true;
  else if (code === 4) s.underline = true;
  else if (code === 9) s.strike = true;
  else if (code === 22) s.bold = s.dim = false;
  else if (code === 23) s.italic = false;
  else if (code === 24) s.underline = false;
  else if (code === 29) s.strike = false;
  else if (code >= 30 && code <= 37) s.fg = code - 30;
  else if (code === 39) s.fg = null;
  else if (code >= 40 && code <= 47) s.bg = code - 40;
  else if (code === 49) s.bg = null;
  else if (code >= 90 && code <= 97) s.fg = code - 90 + 8;
  else if (code >= 100 && code <= 107) s.bg = code - 100 + 8;
}

/** Reads `5;n` or `2;r;g;b` after a 38/48; returns the palette index and how many codes it used. */
function extendedColour(codes: number[], at: number): [number | undefined, number] {
  if (codes[at] === 5) {
    const n = codes[at + 1];
    return [n !== undefined && n >= 0 && n <= 255 ? n : undefined, 2];
  }
  if (codes[at] === 2) {
    const [r, g, b] = [codes[at + 1] ?? 0, codes[at + 2] ?? 0, codes[at + 3] ?? 0];
    return [nearestCube(r, g, b), 4];
  }
  return [undefined, 0];
}

/** Truecolour → the nearest entry of the xterm 6×6×6 cube or grey ramp. */
function nearestCube(r: number, g: number, b: number): number {
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40)));
  if (Math.abs(r - g) < 10 && Math.abs(g - b) < 10) {
    const grey = Math.round((((r + g + b) / 3 - 8) / 247) * 24);
    if (grey > 0 && grey < 24) return 232 + grey;
  }
  return 16 + 36 * level(r) + 6 * level(g) + level(b);
}
