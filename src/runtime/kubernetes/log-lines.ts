/** One line of a `timestamps=true` log stream. */
export interface TimedLine {
  /** Nanoseconds since the epoch (kubelet precision), null when the line had no timestamp. */
  ns: bigint | null;
  text: string;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) /;

/** Splits `2026-01-02T03:04:05.123456789Z text` into its timestamp and text. */
export function parseTimedLine(line: string): TimedLine {
  const match = STAMP.exec(line);
  if (!match) return { ns: null, text: line };
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return { ns: null, text: line };
  const fraction = BigInt((match[2] ?? '').padEnd(9, '0'));
  return { ns: BigInt(seconds) * 1_000_000n + fraction, text: line.slice(match[0].length) };
}

/** RFC 3339 (whole seconds, rounded down) for a `sinceTime` that cannot skip a line. */
export const sinceTimeOf = (ns: bigint): string =>
  new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Drops the lines a reconnect with `sinceTime` repeats: everything before the last line
 * delivered, and as many lines carrying exactly its timestamp as were delivered.
 */
export class LineDeduper {
  #lastNs: bigint | null = null;
  #countAtLast = 0;
  #replaying = false;
  #seenAtLast = 0;

  /** Where a reconnect should start, or null before any timed line. */
  get lastNs(): bigint | null {
    return this.#lastNs;
  }

  /** Call when a new stream starts from `sinceTime`. */
  reconnected(): void {
    this.#replaying = this.#lastNs !== null;
    this.#seenAtLast = 0;
  }

  /** True when the line is new and should be delivered. */
  accept(line: TimedLine): boolean {
    if (line.ns === null) return !this.#replaying;
    if (this.#replaying && this.#lastNs !== null) {
      if (line.ns < this.#lastNs) return false;
      if (line.ns === this.#lastNs && this.#seenAtLast < this.#countAtLast) {
        this.#seenAtLast++;
        return false;
      }
      this.#replaying = false;
    }
    if (line.ns === this.#lastNs) this.#countAtLast++;
    else {
      this.#lastNs = line.ns;
      this.#countAtLast = 1;
    }
    return true;
  }
}
