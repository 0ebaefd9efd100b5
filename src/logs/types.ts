/** Identifies one step of one build. */
export interface StepKey {
  stage: string;
  step: string;
}

/** `system` lines are Berth's own notes in a step log (events, truncation markers). */
export type LogStream = 'stdout' | 'stderr' | 'system';

/** One complete, already redacted line of a step's log. */
export interface LogEntry {
  stage: string;
  step: string;
  stream: LogStream;
  /** Epoch milliseconds. */
  time: number;
  /** Without the trailing newline. */
  text: string;
}

/**
 * Where finished log lines go: the console (CLI), Redis Streams (bot).
 * Receives complete, redacted, capped lines only: splitting, redaction and the
 * per-step cap happen before (see StepOutput).
 */
export interface LogSink {
  append(entry: LogEntry): void;
  /** Resolves once everything appended so far is stored / printed. */
  flush(): Promise<void>;
}

/**
 * What a runtime writes a step's output to. Accepts raw chunks (split into lines
 * here, partial last line kept until more arrives or `end`) or whole lines with
 * their own timestamp (e.g. Kubernetes `timestamps=true`).
 */
export interface StepOutput {
  write(stream: 'stdout' | 'stderr', chunk: string | Uint8Array): void;
  line(stream: LogStream, text: string, time?: number): void;
  /** Flushes partial lines; later writes are dropped. */
  end(): void;
}
