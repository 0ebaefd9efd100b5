/** Quotes a word for POSIX sh: safe for any content. */
export function shq(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quotes and joins words into one sh command line. */
export function shJoin(words: string[]): string {
  return words.map(shq).join(' ');
}

/** The quoting a POSIX sh script is in at one offset: none, inside '…', or inside "…". */
export type QuoteState = 'none' | 'single' | 'double';

/**
 * The quote state in effect at each offset of `script` (before that character),
 * following sh's rules for `'…'`, `"…"`, backslash escapes and `#` comments. Heredocs and quotes
 * nested in `$(…)` are not followed: the state of the enclosing text is given.
 */
export function quoteStates(script: string): QuoteState[] {
  const states: QuoteState[] = [];
  let state: QuoteState = 'none';
  for (let i = 0; i < script.length; i++) {
    states[i] = state;
    const char = script[i];
    if (state === 'single') {
      if (char === "'") state = 'none';
    } else if (char === '\\') {
      states[i + 1] = state;
      i++;
    } else if (char === '"') state = state === 'double' ? 'none' : 'double';
    else if (char === "'" && state === 'none') state = 'single';
    else if (char === '#' && state === 'none' && (i === 0 || /\s/.test(script[i - 1] ?? ''))) {
      // A comment: its quotes quote nothing.
      for (; i + 1 < script.length && script[i + 1] !== '\n'; i++) states[i + 1] = state;
    }
  }
  return states;
}

/** Whether `text` can be pasted into any quoting of a sh script unchanged (no quote, `$`, space, …). */
export const isShellPlain = (text: string): boolean => /^[\w@%+=:,./-]*$/.test(text);

/** A name sh can expand as `${NAME}`. */
export const isShellName = (name: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
