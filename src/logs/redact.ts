/** Replacement text for a redacted secret value. */
export const REDACTED = '***';

/** Masks secret values in text; shared by log pipelines and forge reporters. */
export interface Redactor {
  /** `text` with every secret value replaced by `***`, longest values first. */
  redact(text: string): string;
  /**
   * The largest index `<= max` at which `text` may be cut without splitting a secret
   * (past `max` when a secret starts at 0). Sound when `text` extends `longest` past `max`.
   */
  safeCut(text: string, max: number): number;
  /** Length of the longest secret value (0 when there are none). */
  readonly longest: number;
}

const escapePattern = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Builds a redactor for `secrets`. Empty and whitespace-only values are ignored; a
 * multi-line value is also masked line by line, since logs are redacted per line.
 */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const values = new Set<string>();
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(/\r?\n/)]) {
      if (part.trim() !== '') values.add(part);
    }
  }
  const sorted = [...values].sort((a, b) => b.length - a.length);
  const longest = sorted[0]?.length ?? 0;
  if (sorted.length === 0) {
    return { redact: (text) => text, safeCut: (_text, max) => max, longest };
  }
  const pattern = new RegExp(sorted.map(escapePattern).join('|'), 'g');
  return {
    longest,
    redact: (text) => text.replace(pattern, REDACTED),
    safeCut(text, max) {
      pattern.lastIndex = 0;
      for (const match of text.matchAll(pattern)) {
        if (match.index >= max) break;
        const end = match.index + match[0].length;
        if (end > max) return match.index > 0 ? match.index : end;
      }
      return max;
    },
  };
}
