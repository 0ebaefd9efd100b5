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

/** Values this long (in bytes) or longer are also masked in base64. */
const BASE64_MIN_BYTES = 8;

/**
 * The base64 text any encoding of `value` contains, whatever came before it: base64
 * encodes 3-byte groups on their own, so for each of the 3 offsets the value can start
 * at, the groups wholly inside it always encode the same way. This catches
 * `echo $TOKEN | base64`, a Secret manifest's `data:` and `user:token` pairs alike.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value);
  if (bytes.length < BASE64_MIN_BYTES) return [];
  const forms: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    forms.push(whole.toString('base64'), whole.toString('base64url'));
  }
  return forms;
}

/**
 * Builds a redactor for `secrets`. Empty and whitespace-only values are ignored; a
 * multi-line value is also masked line by line, since logs are redacted per line;
 * values of 8 bytes or more are also masked in base64 (standard and URL-safe).
 */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const values = new Set<string>();
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(/\r?\n/)]) {
      if (part.trim() === '') continue;
      values.add(part);
      for (const form of base64Forms(part)) values.add(form);
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
