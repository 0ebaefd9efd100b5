import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import { GITLAB_NOTE_MAX } from '../../report/summary.ts';
import type { HttpHandler } from '../../web/types.ts';
import { createEventDispatcher, type EventDispatcher } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { createPolicyStore, handleForgeEvent } from '../policy/index.ts';
import { createReportState } from '../report-state.ts';
import { createBuildReporter, type TailFn } from '../reporter.ts';
import type { ForgeAdapter } from '../types.ts';
import { createGitlabAdapter, forgeForRequest } from './adapter.ts';
import { createGitlabApi } from './client.ts';
import { GitlabForge } from './forge.ts';
import { forkAware } from './fork-status.ts';
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
  /** Webhook work runner (shared with the other forges); one of its own by default. */
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
  /** Waits (bounded) for webhook work still running. */
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
  const dispatcher = deps.dispatcher ?? createEventDispatcher({ logger });
  const onEvent = async (event: ForgeEvent, log: Logger) => {
    const fork = event.kind === 'change' && event.fork ? { source: event.fork, change: event.change } : null;
    const policyForge = forkAware(forge, fork);
    await handleForgeEvent(event, {
      forge: policyForge,
      builds: deps.builds,
      store,
      logger: log,
      reporter,
      holdForks: true,
    });
  };
  const handler = createGitlabIngress({
    secret: config.webhookSecret,
    botUsername: async () => (await forge.bot()).username,
    onEvent,
    dispatcher,
    logger,
  });
  return {
    name: 'gitlab',
    enabledBy: 'GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET (GITLAB_URL)',
    handlers: [handler],
    adapter: createGitlabAdapter(api, forge, reporter),
    forge,
    close: (timeoutMs) => dispatcher.drain(timeoutMs),
  };
}
