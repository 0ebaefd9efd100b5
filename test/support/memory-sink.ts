import type { LogEntry, LogSink } from '../../src/logs/types.ts';

/** A LogSink that keeps every entry, for assertions. */
export function memorySink(): LogSink & { entries: LogEntry[]; texts(stream?: string): string[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    append: (entry) => {
      entries.push(entry);
    },
    flush: async () => {},
    texts: (stream) => entries.filter((e) => stream === undefined || e.stream === stream).map((e) => e.text),
  };
}
