import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Config } from '../config/load.ts';

/** pino and pino-pretty load on the first createLogger, never for a command that logs nothing. */
const require = createRequire(import.meta.url);

/** pino: pretty on a TTY (or LOG_FORMAT=pretty), JSON lines otherwise. */
export function createLogger(
  config: Config['log'],
  out: NodeJS.WritableStream & { isTTY?: boolean },
): Logger {
  const { pino } = require('pino') as typeof import('pino');
  const usePretty = config.format === 'pretty' || (config.format === 'auto' && out.isTTY === true);
  const options = { level: config.level, base: null };
  if (!usePretty) return pino(options, out);
  const pretty = require('pino-pretty') as typeof PinoPretty;
  return pino(options, pretty({ destination: out, colorize: out.isTTY === true, sync: true }));
}

/** A Logger made by `make` on first use: `berth run` loads pino only if it logs. */
export function lazyLogger(make: () => Logger): Logger {
  let logger: Logger | undefined;
  return new Proxy({} as Logger, {
    get(_target, key) {
      logger ??= make();
      const value: unknown = Reflect.get(logger, key, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
  });
}
