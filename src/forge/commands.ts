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
