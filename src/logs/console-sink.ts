import type { LogEntry, LogSink } from './types.ts';

/** Foreground colours cycled over steps in order of first output. */
const PALETTE = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const RED = 31;

export interface ConsoleSinkOptions {
  /** Colour prefixes (when the stream is a TTY). */
  color: boolean;
}

/**
 * Prints lines as `[stage/step] text`; stderr lines as `[stage/step]! text` and
 * Berth's own notes as `[stage/step] » text`. Writes are batched per tick.
 */
export function createConsoleSink(
  out: NodeJS.WritableStream,
  options: ConsoleSinkOptions,
): LogSink & { note(text: string): void } {
  const colours = new Map<string, number>();
  let pending: string[] = [];
  let scheduled = false;
  let lastWrite: Promise<void> = Promise.resolve();

  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);

  const colourOf = (id: string) => {
    let code = colours.get(id);
    if (code === undefined) {
      code = PALETTE[colours.size % PALETTE.length] ?? 36;
      colours.set(id, code);
    }
    return code;
  };

  const writePending = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const data = pending.join('');
    pending = [];
    lastWrite = new Promise((resolve) => out.write(data, () => resolve()));
  };

  const push = (line: string) => {
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(writePending);
    }
  };

  return {
    append(entry: LogEntry) {
      const id = `${entry.stage}/${entry.step}`;
      const prefix = paint(colourOf(id), `[${id}]`);
      if (entry.stream === 'stderr') push(`${prefix}${paint(RED, '!')} ${entry.text}\n`);
      else if (entry.stream === 'system') push(`${prefix} ${paint(2, `» ${entry.text}`)}\n`);
      else push(`${prefix} ${entry.text}\n`);
    },
    /** A line of Berth's own, not tied to a step. */
    note(text: string) {
      push(`${text}\n`);
    },
    async flush() {
      writePending();
      await lastWrite;
    },
  };
}
