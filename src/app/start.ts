import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import type { ForgeAdapter, ForgeName } from '../forge/types.ts';
import type { BuildExecutor } from '../queue/executor.ts';
import { createQueueStack, type QueueStack } from '../queue/stack.ts';
import { type BuildWorker, startBuildWorker } from '../queue/worker.ts';
import { createBuildsApi } from '../web/api/builds.ts';
import { createHealthHandler, type ReadinessChecks } from '../web/api/health.ts';
import { createWebServer, type WebServer } from '../web/server.ts';
import { resolveRedis } from './embedded-redis.ts';
import { forgeStatusLines } from './forge-status.ts';
import { type ForgePlugin, forgePlugins } from './plugins.ts';
import { type Role, runsWeb, runsWorker } from './roles.ts';

/** What the composition root needs: configuration, role, logger and the executor factory. */
export interface AppOptions {
  config: Readonly<Config>;
  role: Role;
  logger: Logger;
  /** PATH, to find `redis-server` when REDIS_URL is unset. */
  path: string | undefined;
  /** Makes the executor the worker runs builds with (worker roles only). */
  executor: (ctx: { isBuildActive: (id: string) => Promise<boolean> }) => Promise<{
    execute: BuildExecutor;
    runtime: string;
    close?: () => Promise<void>;
  }>;
}

/** A started bot: `close` stops web, worker, plug-ins, Redis connections and the embedded Redis. */
export interface App {
  url: string | null;
  stack: QueueStack;
  close(): Promise<void>;
}

/** The composition root of `berth serve`: starts what the role needs and says what is active. */
export async function startApp(o: AppOptions): Promise<App> {
  const { config, logger } = o;
  const redis = await resolveRedis(config.redisUrl, o.path);
  logger.info({ redis: redis.embedded ? `${redis.url} (embedded)` : redactUrl(redis.url) }, 'using redis');
  const stack = createQueueStack({
    redisUrl: redis.url,
    logger,
    retentionMs: config.retentionDays * 24 * 3600 * 1000,
    logCaps: { stepBytes: config.logCapBytes, buildBytes: config.logCapBytes * 4 },
  });
  const closers: Array<() => Promise<void>> = [() => redis.stop(), () => stack.close()];
  const close = async () => {
    for (const closer of closers.reverse())
      await closer().catch((err: unknown) => logger.warn({ err }, 'shutdown step failed'));
  };
  try {
    const plugins = await forgePlugins({
      config,
      logger,
      service: stack.service,
      redis: stack.redis,
      logs: stack.logs,
    });
    closers.push(...plugins.flatMap((p) => (p.close ? [p.close] : [])));
    for (const line of forgeStatusLines(config, plugins))
      logger.info(line, line.enabled ? 'forge enabled' : 'forge disabled');
    const worker = runsWorker(o.role) ? await startWorker(o, stack, plugins, closers) : null;
    const web = runsWeb(o.role) ? await startWeb(o, stack, plugins, worker) : null;
    if (web) closers.push(() => web.server.close());
    return { url: web?.url ?? null, stack, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startWorker(
  o: AppOptions,
  stack: QueueStack,
  plugins: ForgePlugin[],
  closers: Array<() => Promise<void>>,
): Promise<BuildWorker> {
  const { config, logger } = o;
  const { execute, runtime, close } = await o.executor({ isBuildActive: (id) => stack.store.isActive(id) });
  if (close) closers.push(close);
  const adapters: Partial<Record<ForgeName, ForgeAdapter>> = {};
  for (const plugin of plugins) adapters[plugin.adapter.name] = plugin.adapter;
  const worker = await startBuildWorker({
    connection: stack.bull,
    store: stack.store,
    logs: stack.logs,
    bus: stack.bus,
    adapters,
    execute,
    logger,
    concurrency: config.concurrency.perWorker,
    globalConcurrency: config.concurrency.global,
  });
  logger.info(
    { runtime, concurrency: config.concurrency.perWorker, globalConcurrency: config.concurrency.global },
    'worker taking builds',
  );
  closers.push(() => worker.close(config.timeouts.shutdownMs));
  return worker;
}

async function startWeb(
  o: AppOptions,
  stack: QueueStack,
  plugins: ForgePlugin[],
  worker: BuildWorker | null,
): Promise<{ server: WebServer; url: string }> {
  const { config, logger } = o;
  const checks: ReadinessChecks = { redis: async () => (await stack.redis.ping()) === 'PONG' };
  if (worker) checks.worker = async () => worker.isRunning();
  const api = createBuildsApi({
    service: stack.service,
    logs: stack.logs,
    apiToken: config.apiToken,
    localSources: config.localSources,
    logger,
  });
  const server = createWebServer({
    handlers: [createHealthHandler(checks), api, ...plugins.flatMap((p) => p.handlers)],
    logger,
  });
  const address = await server.listen(config.http.port, config.http.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info(
    { url, api: config.apiToken ? 'POST /api/builds enabled' : 'POST /api/builds off (set BERTH_API_TOKEN)' },
    'web server listening',
  );
  return { server, url };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis (unparseable URL)';
  }
}
