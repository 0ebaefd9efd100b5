import { createLogger } from '../app/logger.ts';
import { ROLES, type Role } from '../app/roles.ts';
import { startApp } from '../app/start.ts';
import { createWorkerRuntime } from '../app/worker-runtime.ts';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { type Command, parseFlags, UsageError } from './command.ts';

const HELP = `Usage: berth serve [--role all|web|worker]

Runs the bot: the web server (webhooks, build API, pages, health, metrics), build
workers, or both.

Options:
  --role ROLE   all (default): web and worker; web: HTTP only; worker: builds only,
                with /healthz, /readyz and /metrics on PORT

Configuration comes from the environment (see docs/serve.md): REDIS_URL (else a
redis-server on PATH is started), PORT, HOST, BERTH_RUNTIME, BERTH_CONCURRENCY,
BERTH_API_TOKEN, BERTH_LOCAL_SOURCES, forge credentials, ...
SIGTERM / SIGINT stop taking builds, wait BERTH_SHUTDOWN_TIMEOUT_SECONDS, hand the
rest back to the queue and exit 0.
`;

/** `berth serve`: the bot's processes. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'the bot: webhooks, queue workers, build pages',
  help: HELP,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, { role: { type: 'string', default: 'all' } }, 0);
    const role = values.role as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(ctx.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      ctx.stderr.write(`berth serve: ${error.message}\n`);
      return 2;
    }
    const logger = createLogger(config.log, ctx.stdout);
    const stop = stopSignal(ctx.signal);
    let app: Awaited<ReturnType<typeof startApp>>;
    try {
      app = await startApp({
        config,
        role,
        logger,
        path: ctx.env.PATH,
        assetsDir: new URL('web/assets/', ctx.appDir),
        workerRuntime: ({ isBuildActive, metrics }) =>
          createWorkerRuntime(
            config,
            logger,
            { PATH: ctx.env.PATH, HOME: ctx.env.HOME },
            isBuildActive,
            metrics,
          ),
      });
    } catch (error) {
      stop.dispose();
      if (!(error instanceof ConfigError)) throw error;
      ctx.stderr.write(`berth serve: ${error.message}\n`);
      return 2;
    }
    logger.info({ role }, 'berth is up');
    await stop.promise;
    logger.info({ boundSeconds: config.timeouts.shutdownMs / 1000 }, 'shutting down');
    await app.close();
    stop.dispose();
    logger.info('stopped');
    return 0;
  },
};

/** Resolves when the CLI's signal aborts (main.ts turns the first SIGTERM / SIGINT into that). */
function stopSignal(signal: AbortSignal): { promise: Promise<void>; dispose: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  const onAbort = () => resolve();
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
