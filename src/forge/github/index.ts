import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { Config } from '../../config/load.ts';
import type { EventDispatcher } from '../dispatcher.ts';
import type { TailFn } from '../reporter.ts';
import { createGithubPlugin, type GithubPlugin } from './plugin.ts';

export { createGithubPlugin, GITHUB_WEBHOOK_PATH, type GithubPlugin } from './plugin.ts';

/** What the composition root hands a forge plug-in (src/app/plugins.ts PluginContext). */
export interface GithubPluginContext {
  config: Readonly<Config>;
  logger: Logger;
  service: BuildService;
  redis: Redis;
  logs: { stepTail: TailFn };
  /** The app's durable webhook dispatcher; the plug-in makes its own when absent. */
  dispatcher?: EventDispatcher;
}

/** The GitHub plug-in from Berth's configuration; null when APP_ID / key / WEBHOOK_SECRET are not all set. */
export async function githubPlugin(ctx: GithubPluginContext): Promise<GithubPlugin | null> {
  const github = ctx.config.github;
  if (!github) return null;
  return createGithubPlugin(
    { ...github, publicUrl: ctx.config.http.publicUrl },
    {
      builds: ctx.service,
      redis: ctx.redis,
      logger: ctx.logger,
      tail: (id, step, lines) => ctx.logs.stepTail(id, step, lines),
      ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
    },
  );
}
