import type { LogEntry, LogStream } from './types.ts';

/** A stored log line with its Redis stream id (what SSE `Last-Event-ID` resumes from). */
export interface StoredLogEntry extends LogEntry {
  id: string;
}

/** The field names of a stored line, in the order of `entryValues`: stage, step, stream, time, text. */
export const ENTRY_FIELDS = ['g', 'p', 'o', 't', 'x'] as const;

/** The values of a stored line, in the order of ENTRY_FIELDS. */
export function entryValues(entry: LogEntry): string[] {
  return [entry.stage, entry.step, entry.stream, String(entry.time), entry.text];
}

/** The fields of the marker that says the build's log is complete. */
export const END_FIELDS = ['end', '1'];

/** A raw stream item: the end marker, or a log line. */
export function decodeEntry(id: string, fields: string[]): StoredLogEntry | 'end' {
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
