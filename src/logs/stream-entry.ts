import type { LogEntry, LogStream } from './types.ts';

/** A stored log line with its Redis stream id (what SSE `Last-Event-ID` resumes from). */
export interface StoredLogEntry extends LogEntry {
  id: string;
}

/**
 * The one field of a stored line: `l`, a JSON array [stage, step, stream, time, text].
 * One field instead of five makes a page of a log five times fewer strings to decode.
 */
export const LINE_FIELD = 'l';

/** The value of a stored line's LINE_FIELD. */
export function encodeLine(entry: LogEntry): string {
  return JSON.stringify([entry.stage, entry.step, entry.stream, entry.time, entry.text]);
}

/** The fields of the marker that says the build's log is complete. */
export const END_FIELDS = ['end', '1'];

/** A raw stream item: the end marker, or a log line (one `l` field, or the five fields logs had before). */
export function decodeEntry(id: string, fields: string[]): StoredLogEntry | 'end' {
  if (fields[0] === LINE_FIELD && fields.length === 2) return decodeLine(id, fields[1] as string);
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  if (map.has('end')) return 'end';
  return {
    id,
    stage: map.get('g') ?? '',
    step: map.get('p') ?? '',
    stream: (map.get('o') ?? 'stdout') as LogStream,
    time: Number(map.get('t') ?? 0),
    text: map.get('x') ?? '',
  };
}

function decodeLine(id: string, value: string): StoredLogEntry {
  try {
    const [stage, step, stream, time, text] = JSON.parse(value) as unknown[];
    return {
      id,
      stage: String(stage ?? ''),
      step: String(step ?? ''),
      stream: (['stdout', 'stderr', 'system'].includes(stream as string) ? stream : 'stdout') as LogStream,
      time: Number(time ?? 0),
      text: String(text ?? ''),
    };
  } catch {
    return { id, stage: '', step: '', stream: 'system', time: 0, text: '(an unreadable log line)' };
  }
}

/** Decodes XRANGE / XREAD items; `ended` when the end marker is among them. */
export function decodeItems(items: Array<[string, string[]]>): { entries: StoredLogEntry[]; ended: boolean } {
  const entries: StoredLogEntry[] = [];
  let ended = false;
  for (const [id, fields] of items) {
    const decoded = decodeEntry(id, fields);
    if (decoded === 'end') ended = true;
    else entries.push(decoded);
  }
  return { entries, ended };
}

/** The end marker among raw items. */
export const hasEnd = (items: Array<[string, string[]]>): boolean =>
  items.some(([, fields]) => fields[0] === END_FIELDS[0]);

/** A stored value that can go on the wire as it is: one JSON array on one line. */
const wireSafe = (value: string): boolean =>
  value.startsWith('[') && value.endsWith(']') && !value.includes('\n') && !value.includes('\r');

/**
 * The lines of raw items as one JSON array of `[stage, step, stream, time, text]` arrays:
 * the stored values as they are (no parsing), re-encoded only when one is of the
 * older five-field kind or not a one-line array.
 */
export function wireLines(items: Array<[string, string[]]>): string {
  const parts: string[] = [];
  for (const [id, fields] of items) {
    const value = fields[0] === LINE_FIELD ? fields[1] : undefined;
    if (value !== undefined && fields.length === 2 && wireSafe(value)) parts.push(value);
    else {
      const decoded = decodeEntry(id, fields);
      if (decoded !== 'end') parts.push(encodeLine(decoded));
    }
  }
  return `[${parts.join(',')}]`;
}
