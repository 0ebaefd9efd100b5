export { createConsoleSink } from './console-sink.ts';
export { createRedactor, REDACTED, type Redactor } from './redact.ts';
export { createStepOutput, formatBytes, MAX_LINE_CHARS, type StepOutputOptions } from './step-output.ts';
export type { LogEntry, LogSink, LogStream, StepKey, StepOutput } from './types.ts';
