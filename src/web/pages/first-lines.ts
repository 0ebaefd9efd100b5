import type { RedisLogStore } from '../../logs/redis-store.ts';

/** The start of a build's log, carried in its page's data block (the page shows it before its stream opens). */
export interface FirstLines {
  /** `[stage, step, stream, time, text]`, as the SSE `lines` events carry them. */
  lines: Array<[string, string, string, number, string]>;
  /** Stream id of the last line: the page's stream resumes after it (`?after=`). */
  after: string;
}

/** Lines a page carries at most: the log stream's first page. */
const MAX_LINES = 100;
/** Text a page carries at most (lines may be 64 KiB each); the stream brings the rest. */
const MAX_CHARS = 64 * 1024;

/** The first lines of `buildId`'s log that fit a page, or null when there are none. */
export async function firstLines(
  logs: Pick<RedisLogStore, 'read'>,
  buildId: string,
): Promise<FirstLines | null> {
  const page = await logs.read(buildId, null, MAX_LINES);
  const lines: FirstLines['lines'] = [];
  let chars = 0;
  let after = '';
  for (const entry of page.entries) {
    chars += entry.text.length;
    if (chars > MAX_CHARS) break;
    lines.push([entry.stage, entry.step, entry.stream, entry.time, entry.text]);
    after = entry.id;
  }
  return lines.length > 0 ? { lines, after } : null;
}
