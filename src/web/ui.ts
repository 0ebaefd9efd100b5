import type { Logger } from 'pino';
import type { BuildService } from '../builds/service.ts';
import type { Config } from '../config/load.ts';
import type { RedisLogStore } from '../logs/redis-store.ts';
import { createMetricsHandler } from '../metrics/handler.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { WebAccess } from './access/access.ts';
import { createActionsHandler } from './actions/handler.ts';
import type { ForgeLinks } from './assets/format.ts';
import { loadAssets } from './assets/serve.ts';
import type { OAuthFlow } from './auth/oauth.ts';
import { createSignInHandler } from './auth/sign-in-handler.ts';
import { createPagesHandler } from './pages/handler.ts';
import { createStartOptionsHandler } from './start/handler.ts';
import type { HttpHandler } from './types.ts';

/** What the human side of the web needs from the composition root. */
export interface UiDeps {
  config: Readonly<Config>;
  service: BuildService;
  /** Build logs: a build page carries the first lines of its own. */
  logs?: Pick<RedisLogStore, 'read'>;
  /** Who may see and do what; shared with the JSON API. */
  access: WebAccess;
  flow: OAuthFlow;
  logger: Logger;
  /** When given, `GET /metrics` serves it. */
  metrics?: Metrics;
  /** The pages' scripts and styles (default: the folder of assets/serve.ts). */
  assetsDir?: URL | undefined;
}

/**
 * Sign-in (`/auth/…`, `/session`), the pages (`/`, `/builds/:id`, `/signin`, `/assets/…`), cancel/rerun
 * and `/metrics`, configured from Config: add them to the web server's handler list.
 */
export function createUiHandlers(deps: UiDeps): HttpHandler[] {
  const { config, access } = deps;
  const handlers = [
    createSignInHandler({ access, flow: deps.flow, publicUrl: config.http.publicUrl, logger: deps.logger }),
    createActionsHandler({ service: deps.service, access, logger: deps.logger }),
    createStartOptionsHandler({ access, logger: deps.logger }),
    createPagesHandler({
      service: deps.service,
      access,
      links: forgeLinks(config),
      ...(deps.logs ? { logs: deps.logs } : {}),
      assets: loadAssets(deps.assetsDir),
    }),
  ];
  if (deps.metrics) handlers.push(createMetricsHandler(deps.metrics));
  return handlers;
}

/** Web addresses for commit links: github.com or the GHE host, GITLAB_URL. */
export function forgeLinks(config: Readonly<Config>): ForgeLinks {
  const api = config.github?.baseUrl;
  return {
    github: api ? api.replace(/\/api\/v3\/?$/, '') : 'https://github.com',
    gitlab: config.gitlab?.url ?? 'https://gitlab.com',
  };
}
