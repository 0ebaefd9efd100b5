import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import type { Diagnostic } from '../pipeline/index.ts';
import { formatDiagnostic, type LoadOptions } from '../pipeline/index.ts';
import type { CliContext } from './command.ts';
import { UsageError } from './command.ts';

/** Variable layers and images from configuration, for `berth lint/plan/run`. */
export function pipelineOptions(ctx: CliContext): LoadOptions {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(ctx.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const base = ctx.env.XDG_CONFIG_HOME || (ctx.env.HOME ? join(ctx.env.HOME, '.config') : undefined);
  return {
    cwd: ctx.cwd,
    images: { ...config.images },
    wharfVars: { ...config.pipelineVars.wharfVars },
    configuredVars: { ...config.pipelineVars.configured },
    ...(base ? { userConfigDir: join(base, 'berth') } : {}),
  };
}

/** `-i KEY=VALUE` flags as a map (last wins). */
export function parseInputFlags(values: string[] | undefined): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`-i expects KEY=VALUE, got '${value}'`);
    inputs[value.slice(0, at)] = value.slice(at + 1);
  }
  return inputs;
}

/** Writes each diagnostic as one GCC-style line; returns the number of errors. */
export function writeDiagnostics(out: NodeJS.WritableStream, diagnostics: Diagnostic[]): number {
  for (const d of diagnostics) out.write(`${formatDiagnostic(d)}\n`);
  return diagnostics.filter((d) => d.severity === 'error').length;
}

/** `2 errors, 1 warning`. */
export function summary(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}
