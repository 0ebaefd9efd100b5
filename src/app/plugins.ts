import type { Logger } from 'pino';
import type { BuildService } from '../builds/service.ts';
import type { Config } from '../config/load.ts';
import { createDurableDispatcher } from '../forge/durable-dispatcher.ts';
import { createGithubPlugin } from '../forge/github/plugin.ts';
import { createGitlabPlugin } from '../forge/gitlab/plugin.ts';
import { createLocalAdapter } from '../forge/local/adapter.ts';
import type { ForgePluginDeps, ForgePluginParts } from '../forge/plugin-deps.ts';
import type { ForgeAdapter } from '../forge/types.ts';
import { createBodyBudget } from '../forge/webhook-body.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import type { RedisClient } from '../redis/connect.ts';
import type { RedisKeys } from '../redis-keys.ts';
import type { HttpHandler } from '../web/types.ts';

/** What a forge plug-in gets to build its ingress and adapter. */
export interface PluginContext {
  config: Readonly<Config>;
  logger: Logger;
  /** Where ingress queues, cancels and looks up builds. */
  service: BuildService;
  /** Commands connection (policy stores, report state). */
  redis: RedisClient;
  /** Names of every key and queue (BERTH_REDIS_PREFIX). */
  keys: RedisKeys;
  /** BullMQ connection (`maxRetriesPerRequest: null`): the webhook events queue. */
  bull: RedisClient;
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
 * entry each, returning null when their variables are not set. Each is built from the
 * same collaborators: one durable dispatcher and one budget of webhook bodies in flight.
 */
export async function forgePlugins(ctx: PluginContext): Promise<ForgePlugin[]> {
  // One durable hand-off for every forge: each registers its handler, then the worker starts.
  const dispatcher = createDurableDispatcher({ connection: ctx.bull, logger: ctx.logger, keys: ctx.keys });
  const deps: ForgePluginDeps = {
    builds: ctx.service,
    redis: ctx.redis,
    keys: ctx.keys,
    logger: ctx.logger,
    tail: (id, step, lines) => ctx.logs.stepTail(id, step, lines),
    publicUrl: ctx.config.http.publicUrl,
    bodies: createBodyBudget(ctx.config.webhookInFlightBytes),
    dispatcher,
  };
  const { github, gitlab } = ctx.config;
  const plugins = [
    localPlugin(ctx.config.localSources),
    github ? webhooks(createGithubPlugin(github, deps), ctx, 'x-github-event') : null,
    // GitLab answers 200 only to hooks it ignores; accepted ones get 202.
    gitlab ? webhooks(createGitlabPlugin(gitlab, deps), ctx, 'x-gitlab-event', { 200: 'ignored' }) : null,
  ].filter((p): p is ForgePlugin => p !== null);
  if (plugins.some((p) => p.handlers.length > 0)) dispatcher.start();
  else await dispatcher.close(1000);
  return plugins;
}

function localPlugin(roots: readonly string[]): ForgePlugin {
  return {
    name: 'local',
    handlers: [],
    adapter: createLocalAdapter(roots),
    enabledBy: 'always (POST /api/builds with local: sources in BERTH_LOCAL_SOURCES)',
  };
}

/** A forge's plug-in as the app runs it: closed within the shutdown timeout, deliveries counted. */
function webhooks(
  plugin: ForgePluginParts & { name: string },
  ctx: PluginContext,
  eventHeader: string,
  outcomes?: Readonly<Record<number, string>>,
): ForgePlugin {
  return {
    name: plugin.name,
    handlers: plugin.handlers,
    adapter: plugin.adapter,
    enabledBy: plugin.enabledBy,
    close: () => plugin.close(ctx.config.timeouts.shutdownMs),
    deliveries: { eventHeader, ...(outcomes ? { outcomes } : {}) },
  };
}
