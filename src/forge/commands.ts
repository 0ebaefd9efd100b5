/** A command a trusted user can give Berth in a PR/MR comment. */
export type CommandName = 'retest' | 'test' | 'cancel' | 'ok-to-test';

const COMMAND = /^\/(retest|test|cancel|ok-to-test)(?=\s|$)/;
const FENCE = /^\s{0,3}(```|~~~)/;

/**
 * The commands of a comment, in order of appearance and without repeats. A command
 * counts only at the very start of a line; quoted lines (`>`) and fenced code blocks
 * are ignored, so quoting an earlier `/retest` does not run anything.
 */
export function parseCommands(body: string): CommandName[] {
  const found: CommandName[] = [];
  let inFence = false;
  for (const line of body.split(/\r?\n/)) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const name = COMMAND.exec(line)?.[1] as CommandName | undefined;
    if (name && !found.includes(name)) found.push(name);
  }
  return found;
}

const OK_TO_TEST_SHA = /^\/ok-to-test[ \t]+([0-9a-f]{7,40})\b/i;

/** The commit a `/ok-to-test <sha>` line names (7 to 40 hex digits, lower case), if any. */
export function okToTestSha(body: string): string | null {
  for (const line of body.split(/\r?\n/)) {
    const named = OK_TO_TEST_SHA.exec(line)?.[1];
    if (named) return named.toLowerCase();
  }
  return null;
}

const RETEST_ALL = /^\/retest[ \t]+all(?=\s|$)/i;

/** True when a `/retest` line says `all`: every step runs again, none is reused. */
export function retestsAll(body: string): boolean {
  return parseLines(body).some((line) => RETEST_ALL.test(line));
}

/** The lines of a comment outside fenced code blocks and quotes. */
function parseLines(body: string): string[] {
  const lines: string[] = [];
  let inFence = false;
  for (const line of body.split(/\r?\n/)) {
    if (FENCE.test(line)) inFence = !inFence;
    else if (!inFence) lines.push(line);
  }
  return lines;
}
