import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a command gets from the edge: nothing else is global. */
export interface CliContext {
  argv: string[];
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on the first Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** The folder Berth runs from: `src/`, or `dist/` when built; files it serves are found below it. */
  appDir: URL;
}

export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Returns the process exit code. Throw UsageError for bad arguments (exit 2). */
  run(ctx: CliContext): Promise<number>;
}

/** Bad command-line usage: printed with a hint, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, its errors turned into UsageErrors. */
export function parseFlags<T extends Options>(argv: string[], options: T, maxPositionals = 1) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return parsed;
}

/** node:util's parse errors, shortened to what a person needs. */
function usageMessage(error: Error & { code?: string }): string {
  const option = /'(-{1,2}[^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(error.message)
      ? `option '${option}' needs a value`
      : `option '${option}' does not take a value`;
  }
  return error.message;
}
