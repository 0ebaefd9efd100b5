import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import { GITLAB_NOTE_MAX } from '../../report/summary.ts';
import type { HttpHandler } from '../../web/types.ts';
import type { Accepted, EventDispatcher } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { ownDispatcher } from '../own-dispatcher.ts';
import { createPolicyStore, handleForgeEvent } from '../policy/index.ts';
import { createReportState } from '../report-state.ts';
import { createBuildReporter, type TailFn } from '../reporter.ts';
import type { ForgeAdapter } from '../types.ts';
import { createGitlabAdapter, forgeForRequest } from './adapter.ts';
import { createGitlabApi } from './client.ts';
import { GitlabForge } from './forge.ts';
import { createGitlabIngress } from './ingress.ts';

/** `GITLAB_URL`, `GITLAB_TOKEN`, `GITLAB_WEBHOOK_SECRET` (config.gitlab). */
export interface GitlabPluginConfig {
  url: string;
  token: string;
  webhookSecret: string;
}

/** What the GitLab plugin is wired to. */
export interface GitlabPluginDeps {
  builds: BuildService;
  redis: Redis;
  logger: Logger;
  /**
   * Where accepted hooks go (the app's durable one, shared with the other forges; the
   * caller starts it). By default one of its own on the `berth-events-gitlab` queue over `redis`.
   */
  dispatcher?: EventDispatcher;
  /** Last lines of a step's log, for the summary note. */
  tail: TailFn;
  /** `BERTH_PUBLIC_URL`: links in statuses and notes. */
  publicUrl: string | null;
}

/** GitLab support: the webhook handler (web role) and the worker's adapter. */
export interface GitlabPlugin {
  name: 'gitlab';
  /** For the start-up log line. */
  enabledBy: string;
  handlers: HttpHandler[];
  adapter: ForgeAdapter;
  forge: GitlabForge;
  /** Waits (bounded) until the hooks accepted so far have been handled. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops handling hooks, waiting (bounded) for those running; the rest stay queued. */
  close(timeoutMs: number): Promise<void>;
}

/** Builds everything GitLab needs from its configuration; starts nothing. */
export function createGitlabPlugin(config: GitlabPluginConfig, deps: GitlabPluginDeps): GitlabPlugin {
  const api = createGitlabApi({ url: config.url, token: config.token });
  const forge = new GitlabForge(api);
  const logger = deps.logger.child({ forge: 'gitlab' });
  const reporter = createBuildReporter({
    forgeFor: forgeForRequest(forge),
    state: createReportState(deps.redis),
    tail: deps.tail,
    publicUrl: deps.publicUrl,
    commentMax: GITLAB_NOTE_MAX,
    logger,
  });
  const store = createPolicyStore(deps.redis);
  const events = ownDispatcher(deps, logger);
  const onEvent = async (event: ForgeEvent, log: Logger, accepted: Accepted) => {
    // Statuses of fork MRs go to the source project: the reporter's forge is fork-aware.
    await handleForgeEvent(event, {
      forge,
      builds: deps.builds,
      store,
      logger: log,
      reporter,
      holdForks: true,
      receivedAt: accepted.at,
    });
  };
  const handler = createGitlabIngress({
    secret: config.webhookSecret,
    botUsername: async () => (await forge.bot()).username,
    onEvent,
    dispatcher: events.dispatcher,
    logger,
  });
  events.start();
  return {
    name: 'gitlab',
    enabledBy: 'GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET (GITLAB_URL)',
    handlers: [handler],
    adapter: createGitlabAdapter(api, forge, reporter),
    forge,
    drain: (timeoutMs) => events.dispatcher.drain(timeoutMs),
    close: (timeoutMs) => events.close(timeoutMs),
  };
}
