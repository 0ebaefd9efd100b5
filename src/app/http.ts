import type { Logger } from 'pino';
import type { Config } from '../config/load.ts';
import { createMetricsHandler } from '../metrics/handler.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { meterWebhooks } from '../metrics/webhooks.ts';
import type { QueueStack } from '../queue/stack.ts';
import type { BuildWorker } from '../queue/worker.ts';
import { webAccessFromConfig } from '../web/access/from-config.ts';
import { createBuildsApi } from '../web/api/builds.ts';
import { createHealthHandler, type ReadinessChecks } from '../web/api/health.ts';
import { createQueueApi } from '../web/api/queue.ts';
import { createWebServer, type WebServer } from '../web/server.ts';
import type { HttpHandler } from '../web/types.ts';
import { createUiHandlers } from '../web/ui.ts';
import type { ForgePlugin } from './plugins.ts';

/** What either HTTP server of `berth serve` is built from. */
export interface HttpParts {
  config: Readonly<Config>;
  logger: Logger;
  stack: QueueStack;
  metrics: Metrics;
  /** This process's worker, when it runs one (`/readyz` then checks it too). */
  worker: BuildWorker | null;
  /** The pages' scripts and styles (default: src/web/assets/). */
  assetsDir?: URL | undefined;
}

/** A listening server and its base URL. */
export interface Listening {
  server: WebServer;
  url: string;
}

/**
 * The web role's server: health, the JSON API, each forge's webhooks (counted per
 * delivery), the pages with their cancel/rerun/sign-in actions, and `/metrics`.
 */
export async function startWeb(parts: HttpParts, plugins: ForgePlugin[]): Promise<Listening> {
  const { config, logger, stack, metrics } = parts;
  const { access, flow } = webAccessFromConfig({ config, redis: stack.redis, keys: stack.keys, logger });
  const api = createBuildsApi({
    service: stack.service,
    logs: stack.logs,
    access,
    localSources: config.localSources,
    logger,
  });
  const slots = stack.slots;
  const queueApi = createQueueApi({
    access,
    view: {
      caps: slots.caps,
      entries: () => slots.entries(),
      waitOf: async (id) => {
        const state = await slots.peek(id);
        return state.state === 'waiting' ? { cap: state.cap, ahead: state.ahead } : null;
      },
    },
  });
  const handlers: HttpHandler[] = [
    createHealthHandler(readinessChecks(parts)),
    api,
    queueApi,
    ...plugins.flatMap((p) => p.handlers.map((h) => metered(h, p, metrics))),
    ...createUiHandlers({
      config,
      service: stack.service,
      logs: stack.logs,
      access,
      flow,
      logger,
      metrics,
      assetsDir: parts.assetsDir,
    }),
  ];
  const listening = await listen(parts, handlers);
  logger.info(
    {
      url: listening.url,
      api: config.apiToken ? 'POST /api/builds enabled' : 'POST /api/builds off (set BERTH_API_TOKEN)',
      signIn: Object.keys(access.forges).join(', ') || 'admin token only',
      reading: config.signIn.publicRead
        ? 'public (BERTH_PUBLIC_READ)'
        : 'signed-in users who can read the repository',
    },
    'web server listening',
  );
  return listening;
}

/**
 * The worker role's small server, on the same PORT/HOST: `/healthz`, `/readyz`
 * (Redis, worker running) and this process's `/metrics`, for probes and Prometheus.
 */
export async function startHealthServer(parts: HttpParts): Promise<Listening> {
  const handlers = [createHealthHandler(readinessChecks(parts)), createMetricsHandler(parts.metrics)];
  const listening = await listen(parts, handlers);
  parts.logger.info({ url: listening.url, paths: '/healthz /readyz /metrics' }, 'health server listening');
  return listening;
}

function readinessChecks({ stack, worker }: HttpParts): ReadinessChecks {
  const checks: ReadinessChecks = { redis: async () => (await stack.redis.ping()) === 'PONG' };
  if (worker) checks.worker = async () => worker.isRunning();
  return checks;
}

function metered(handler: HttpHandler, plugin: ForgePlugin, metrics: Metrics): HttpHandler {
  const deliveries = plugin.deliveries;
  if (!deliveries) return handler;
  return meterWebhooks(handler, metrics, {
    forge: plugin.name,
    eventHeader: deliveries.eventHeader,
    ...(deliveries.outcomes ? { outcomes: deliveries.outcomes } : {}),
  });
}

async function listen(parts: HttpParts, handlers: HttpHandler[]): Promise<Listening> {
  const { config, logger } = parts;
  const server = createWebServer({ handlers, logger });
  const address = await server.listen(config.http.port, config.http.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}
