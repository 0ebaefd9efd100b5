import { TextDecoder } from 'node:util';
import { createRedactor } from './redact.ts';
import type { LogSink, LogStream, StepKey, StepOutput } from './types.ts';

/** Longest line kept whole; longer lines are split into pieces of this many characters. */
export const MAX_LINE_CHARS = 64 * 1024;

export interface StepOutputOptions {
  /** Values to mask in every line. */
  secrets: Iterable<string>;
  /** Bytes of step output kept; past it one marker line, then nothing. */
  capBytes: number;
  now?: () => number;
  maxLineChars?: number;
}

type RawStream = 'stdout' | 'stderr';

interface LineBuffer {
  decoder: TextDecoder;
  text: string;
}

/**
 * A StepOutput that turns raw chunks into complete, redacted, capped lines for `sink`.
 * Memory per stream stays below maxLineChars plus the longest secret.
 */
export function createStepOutput(sink: LogSink, key: StepKey, options: StepOutputOptions): StepOutput {
  const redactor = createRedactor(options.secrets);
  const now = options.now ?? Date.now;
  const maxLine = Math.max(options.maxLineChars ?? MAX_LINE_CHARS, 1);
  const partials: Record<RawStream, LineBuffer> = { stdout: fresh(), stderr: fresh() };
  let bytes = 0;
  let truncated = false;
  let ended = false;

  const emit = (stream: LogStream, raw: string, time: number) => {
    const text = redactor.redact(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (stream !== 'system') {
      if (truncated) return;
      bytes += Buffer.byteLength(text) + 1;
      if (bytes > options.capBytes) {
        truncated = true;
        dropPartials();
        const cap = formatBytes(options.capBytes);
        sink.append({ ...entry(key, 'system', time), text: `log truncated: output past ${cap} is not kept` });
        return;
      }
    }
    sink.append({ ...entry(key, stream, time), text });
  };

  /** Emits one complete line, in pieces of at most maxLine characters when longer. */
  const emitLine = (stream: LogStream, text: string, time: number) => {
    let rest = text;
    while (rest.length > maxLine && !truncated) {
      const cut = redactor.safeCut(rest, maxLine);
      emit(stream, rest.slice(0, cut), time);
      rest = rest.slice(cut);
    }
    emit(stream, rest, time);
  };

  const dropPartials = () => {
    for (const partial of Object.values(partials)) partial.text = '';
  };

  const drain = (stream: RawStream, final: boolean) => {
    const partial = partials[stream];
    let start = 0;
    let nl = partial.text.indexOf('\n');
    while (nl !== -1 && !truncated) {
      emitLine(stream, partial.text.slice(start, nl), now());
      start = nl + 1;
      nl = partial.text.indexOf('\n', start);
    }
    let rest = truncated ? '' : partial.text.slice(start);
    while (rest.length >= maxLine + redactor.longest && !truncated) {
      const cut = redactor.safeCut(rest, maxLine);
      emit(stream, rest.slice(0, cut), now());
      rest = rest.slice(cut);
    }
    if (final && rest !== '' && !truncated) {
      emitLine(stream, rest, now());
      rest = '';
    }
    partial.text = truncated ? '' : rest;
  };

  return {
    write(stream, chunk) {
      if (ended || truncated) return;
      const partial = partials[stream];
      partial.text += typeof chunk === 'string' ? chunk : partial.decoder.decode(chunk, { stream: true });
      drain(stream, false);
    },
    line(stream, text, time) {
      if (ended) return;
      for (const part of text.split('\n')) emitLine(stream, part, time ?? now());
    },
    end() {
      if (ended) return;
      for (const stream of ['stdout', 'stderr'] as const) {
        partials[stream].text += partials[stream].decoder.decode();
        drain(stream, true);
      }
      ended = true;
    },
  };
}

function fresh(): LineBuffer {
  return { decoder: new TextDecoder('utf-8'), text: '' };
}

function entry(key: StepKey, stream: LogStream, time: number) {
  return { stage: key.stage, step: key.step, stream, time };
}

/** `10 MiB`, `512 KiB`, `100 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
