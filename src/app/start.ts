import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import type { ForgeAdapter } from '../forge/types.ts';
import { createMetrics, type Metrics } from '../metrics/metrics.ts';
import type { BuildRunner } from '../queue/build-runner.ts';
import { queueDepthSampler } from '../queue/depth.ts';
import { createQueueStack, type QueueStack } from '../queue/stack.ts';
import { type BuildWorker, startBuildWorker } from '../queue/worker.ts';
import { describeTarget } from '../redis/target.ts';
import { redisKeys } from '../redis-keys.ts';
import type { ForgeName } from '../vocab/index.ts';
import { resolveRedis } from './embedded-redis.ts';
import { forgeStatusLines } from './forge-status.ts';
import { type HttpParts, startHealthServer, startWeb } from './http.ts';
import { type ForgePlugin, forgePlugins } from './plugins.ts';
import { type Role, runsWeb, runsWorker } from './roles.ts';
import { workerLockMs } from './worker-lock.ts';

/** What the composition root needs: configuration, role, logger and the worker-runtime factory. */
export interface AppOptions {
  config: Readonly<Config>;
  role: Role;
  logger: Logger;
  /** PATH, to find `redis-server` when REDIS_URL is unset. */
  path: string | undefined;
  /** The pages' scripts and styles (default: src/web/assets/). */
  assetsDir?: URL;
  /**
   * This process's metrics (served on `/metrics`); a fresh registry with Node's process
   * metrics by default. Tests pass their own.
   */
  metrics?: Metrics;
  /**
   * Makes the runner the worker runs builds with (worker roles only). `metrics` is
   * the process's, for runtimes that count their own work (Kubernetes API requests).
   */
  workerRuntime: (ctx: { isBuildActive: (id: string) => Promise<boolean>; metrics: Metrics }) => Promise<{
    runner: BuildRunner;
    runtime: string;
    close?: () => Promise<void>;
  }>;
}

/** A started bot: `close` stops web, worker, plug-ins, Redis connections and the embedded Redis. */
export interface App {
  /** The web server (roles all and web) or the worker's health server (role worker). */
  url: string;
  stack: QueueStack;
  metrics: Metrics;
  close(): Promise<void>;
}

/** The composition root of `berth serve`: starts what the role needs and says what is active. */
export async function startApp(o: AppOptions): Promise<App> {
  const { config, logger } = o;
  const metrics = o.metrics ?? createMetrics();
  const redis = config.redisHa ? null : await resolveRedis(config.redisUrl, o.path);
  const target = config.redisHa ?? redis?.url ?? '';
  logger.info({ redis: redis?.embedded ? `${redis.url} (embedded)` : describeTarget(target) }, 'using redis');
  const stack = createQueueStack({
    redis: target,
    keys: redisKeys(config.redisPrefix),
    logger,
    retentionMs: config.retentionDays * 24 * 3600 * 1000,
    logCaps: { stepBytes: config.logCapBytes, buildBytes: config.logCapBytes * 4 },
    followers: config.logFollowers,
    wait: config.redisWait,
    caps: { repo: config.concurrency.perRepo, owner: config.concurrency.perOwner },
    metrics,
  });
  metrics.sampleQueueDepth(queueDepthSampler(stack.service.queue));
  const closers: Array<() => Promise<void>> = [async () => redis?.stop(), () => stack.close()];
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
      keys: stack.keys,
      bull: stack.bull,
      logs: stack.logs,
    });
    closers.push(...plugins.flatMap((p) => (p.close ? [p.close] : [])));
    for (const line of forgeStatusLines(config, plugins))
      logger.info(line, line.enabled ? 'forge enabled' : 'forge disabled');
    const worker = runsWorker(o.role) ? await startWorker(o, stack, metrics, plugins, closers) : null;
    const parts: HttpParts = { config, logger, stack, metrics, worker, assetsDir: o.assetsDir };
    const http = runsWeb(o.role) ? await startWeb(parts, plugins) : await startHealthServer(parts);
    closers.push(() => http.server.close());
    return { url: http.url, stack, metrics, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startWorker(
  o: AppOptions,
  stack: QueueStack,
  metrics: Metrics,
  plugins: ForgePlugin[],
  closers: Array<() => Promise<void>>,
): Promise<BuildWorker> {
  const { config, logger } = o;
  const lockMs = await workerLockMs(config, logger);
  const { runner, runtime, close } = await o.workerRuntime({
    isBuildActive: (id) => stack.store.isActive(id),
    metrics,
  });
  if (close) closers.push(close);
  const adapters: Partial<Record<ForgeName, ForgeAdapter>> = {};
  for (const plugin of plugins) adapters[plugin.adapter.name] = plugin.adapter;
  const worker = await startBuildWorker({
    connection: stack.bull,
    keys: stack.keys,
    store: stack.store,
    logs: stack.logs,
    bus: stack.bus,
    adapters,
    runner,
    logger,
    metrics,
    concurrency: config.concurrency.perWorker,
    globalConcurrency: config.concurrency.global,
    lockDurationMs: lockMs,
    stalledIntervalMs: config.takeover.stalledCheckMs,
    maxStalledCount: config.takeover.maxTakeovers,
    slotAccounting: {
      slots: stack.slots,
      cancel: (ids: string[], reason: string) => stack.service.cancelIds(ids, reason),
    },
  });
  logger.info(
    { runtime, concurrency: config.concurrency.perWorker, globalConcurrency: config.concurrency.global },
    'worker taking builds',
  );
  closers.push(() => worker.close(config.timeouts.shutdownMs));
  return worker;
}
