import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config/load.ts';

/** pino: pretty on a TTY (or LOG_FORMAT=pretty), JSON lines otherwise. */
export function createLogger(
  config: Config['log'],
  out: NodeJS.WritableStream & { isTTY?: boolean },
): Logger {
  const usePretty = config.format === 'pretty' || (config.format === 'auto' && out.isTTY === true);
  const options = { level: config.level, base: null };
  if (!usePretty) return pino(options, out);
  return pino(options, pretty({ destination: out, colorize: out.isTTY === true, sync: true }));
}
