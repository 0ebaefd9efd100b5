import type { LogEntry } from './types.ts';

/** Byte caps of one build's stored log. */
export interface LogCaps {
  stepBytes: number;
  buildBytes: number;
}

/**
 * Decides which lines of a build are kept: counts bytes per step and per build and,
 * when a cap is reached, keeps one `system` line saying so and drops the rest.
 */
export class LogCapper {
  readonly #caps: LogCaps;
  readonly #steps = new Map<string, number | 'full'>();
  #build: number | 'full' = 0;

  constructor(caps: LogCaps) {
    this.#caps = caps;
  }

  /** The lines to store for `entry`: itself, a truncation notice, or nothing. */
  admit(entry: LogEntry): LogEntry[] {
    if (this.#build === 'full') return [];
    const key = `${entry.stage}\0${entry.step}`;
    const used = this.#steps.get(key) ?? 0;
    if (used === 'full') return [];
    const size = Buffer.byteLength(entry.text) + 1;
    if (this.#build + size > this.#caps.buildBytes) {
      this.#build = 'full';
      return [notice(entry, `log truncated: the build's log reached ${this.#caps.buildBytes} bytes`)];
    }
    if (used + size > this.#caps.stepBytes) {
      this.#steps.set(key, 'full');
      return [notice(entry, `log truncated: this step's log reached ${this.#caps.stepBytes} bytes`)];
    }
    this.#steps.set(key, used + size);
    this.#build += size;
    return [entry];
  }
}

const notice = (entry: LogEntry, text: string): LogEntry => ({ ...entry, stream: 'system', text });
