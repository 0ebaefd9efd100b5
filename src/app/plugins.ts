import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BuildService } from '../builds/service.ts';
import type { Config } from '../config/load.ts';
import type { EventDispatcher } from '../forge/dispatcher.ts';
import { createDurableDispatcher } from '../forge/durable-dispatcher.ts';
import { githubPlugin } from '../forge/github/index.ts';
import { createGitlabPlugin } from '../forge/gitlab/plugin.ts';
import { createLocalAdapter } from '../forge/local/adapter.ts';
import type { ForgeAdapter } from '../forge/types.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import type { HttpHandler } from '../web/types.ts';

/** What a forge plug-in gets to build its ingress and adapter. */
export interface PluginContext {
  config: Readonly<Config>;
  logger: Logger;
  /** Where ingress queues, cancels and looks up builds. */
  service: BuildService;
  /** Commands connection (policy stores, report state). */
  redis: Redis;
  /** BullMQ connection (`maxRetriesPerRequest: null`): the webhook events queue. */
  bull: Redis;
  /** Build logs; `logs.stepTail` feeds failure summaries. */
  logs: RedisLogStore;
}

/** One forge's contribution: webhook handlers for the web role, an adapter for the worker role. */
export interface ForgePlugin {
  name: string;
  handlers: HttpHandler[];
  adapter: ForgeAdapter;
  /** Said in the start-up log line, e.g. `APP_ID, PRIVATE_KEY, WEBHOOK_SECRET`. */
  enabledBy: string;
  /** Stops the plug-in's webhook handling at shutdown (accepted deliveries not yet handled stay queued). */
  close?: () => Promise<void>;
  /** How its webhook deliveries are counted: the event header, statuses with a meaning of their own. */
  deliveries?: { eventHeader: string; outcomes?: Readonly<Record<number, string>> };
}

/**
 * The forges this configuration enables. Forge modules add themselves here: one
 * entry each, returning null when their variables are not set.
 */
export async function forgePlugins(ctx: PluginContext): Promise<ForgePlugin[]> {
  // One durable hand-off for every forge: each registers its handler, then the worker starts.
  const dispatcher = createDurableDispatcher({ connection: ctx.bull, logger: ctx.logger });
  const candidates: Array<Promise<ForgePlugin | null>> = [
    localPlugin(),
    githubFor(ctx, dispatcher),
    gitlabPlugin(ctx, dispatcher),
  ];
  const plugins = (await Promise.all(candidates)).filter((p): p is ForgePlugin => p !== null);
  if (plugins.some((p) => p.handlers.length > 0)) dispatcher.start();
  else await dispatcher.close(1000);
  return plugins;
}

async function localPlugin(): Promise<ForgePlugin> {
  return {
    name: 'local',
    handlers: [],
    adapter: createLocalAdapter(),
    enabledBy: 'always (POST /api/builds with local: sources in BERTH_LOCAL_SOURCES)',
  };
}

async function gitlabPlugin(ctx: PluginContext, dispatcher: EventDispatcher): Promise<ForgePlugin | null> {
  if (!ctx.config.gitlab) return null;
  const plugin = createGitlabPlugin(ctx.config.gitlab, {
    builds: ctx.service,
    redis: ctx.redis,
    logger: ctx.logger,
    tail: (id, step, lines) => ctx.logs.stepTail(id, step, lines),
    publicUrl: ctx.config.http.publicUrl,
    dispatcher,
  });
  return {
    ...plugin,
    close: () => plugin.close(ctx.config.timeouts.shutdownMs),
    // The ingress answers 200 only to hooks it ignores; accepted ones get 202.
    deliveries: { eventHeader: 'x-gitlab-event', outcomes: { 200: 'ignored' } },
  };
}

async function githubFor(ctx: PluginContext, dispatcher: EventDispatcher): Promise<ForgePlugin | null> {
  const plugin = await githubPlugin({ ...ctx, dispatcher });
  return (
    plugin && {
      ...plugin,
      close: () => plugin.close(ctx.config.timeouts.shutdownMs),
      deliveries: { eventHeader: 'x-github-event' },
    }
  );
}
