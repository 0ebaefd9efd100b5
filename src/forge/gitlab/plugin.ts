import type { Logger } from 'pino';
import { GITLAB_NOTE_MAX } from '../../report/summary.ts';
import { createCommitFiles } from '../commit-files.ts';
import type { Accepted } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { ownDispatcher } from '../own-dispatcher.ts';
import type { ForgePluginDeps, ForgePluginParts } from '../plugin-deps.ts';
import { createPolicyStore, handleForgeEvent } from '../policy/index.ts';
import { createReportState } from '../report-state.ts';
import { createBuildReporter } from '../reporter.ts';
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

/** What the GitLab plug-in is wired to. */
export type GitlabPluginDeps = ForgePluginDeps;

/** GitLab support: the webhook handler (web role) and the worker's adapter. */
export interface GitlabPlugin extends ForgePluginParts {
  name: 'gitlab';
  forge: GitlabForge;
}

/** Builds everything GitLab needs from its configuration; starts nothing. */
export function createGitlabPlugin(config: GitlabPluginConfig, deps: GitlabPluginDeps): GitlabPlugin {
  const api = createGitlabApi({ url: config.url, token: config.token });
  const forge = new GitlabForge(api, createCommitFiles(deps.redis, {}, deps.keys));
  const logger = deps.logger.child({ forge: 'gitlab' });
  const reporter = createBuildReporter({
    forgeFor: forgeForRequest(forge),
    state: createReportState(deps.redis, deps.keys),
    tail: deps.tail,
    publicUrl: deps.publicUrl,
    commentMax: GITLAB_NOTE_MAX,
    logger,
  });
  const store = createPolicyStore(deps.redis, deps.keys);
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
    bodies: deps.bodies,
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
