/** Quotes a word for POSIX sh: safe for any content. */
export function shq(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quotes and joins words into one sh command line. */
export function shJoin(words: string[]): string {
  return words.map(shq).join(' ');
}
