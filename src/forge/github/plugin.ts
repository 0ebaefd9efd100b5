import { Probot, type ProbotOctokit } from 'probot';
import { GITHUB_COMMENT_MAX } from '../../report/summary.ts';
import { createCommitFiles } from '../commit-files.ts';
import type { Accepted } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { ownDispatcher } from '../own-dispatcher.ts';
import type { ForgePluginDeps, ForgePluginParts } from '../plugin-deps.ts';
import { createPolicyStore, handleForgeEvent } from '../policy/index.ts';
import { createReportState } from '../report-state.ts';
import { createBuildReporter } from '../reporter.ts';
import { createGithubAdapter } from './adapter.ts';
import { createCheckRuns } from './checks.ts';
import { githubClients } from './clients.ts';
import { createGithubIngress } from './ingress.ts';

/** The GitHub App's settings (config.github). */
export interface GithubPluginConfig {
  appId: string;
  privateKey: string;
  webhookSecret: string;
  /** `${GHE_PROTOCOL}://${GHE_HOST}/api/v3`, or null for github.com. */
  baseUrl: string | null;
}

/** The GitHub plug-in's collaborators. */
export interface GithubPluginDeps extends ForgePluginDeps {
  /** Octokit class to use (tests pass one without retry delays); Probot's by default. */
  Octokit?: typeof ProbotOctokit;
}

/** What Berth's composition root wires: the webhook handler and the worker's adapter. */
export interface GithubPlugin extends ForgePluginParts {
  name: 'github';
}

/**
 * Builds the GitHub App: Berth's own ingress (verify, validate, map, store) → policy →
 * BuildService, and the worker's adapter. Probot is kept for what it does best: App
 * and installation auth, and Octokit with retries and throttling.
 */
export function createGithubPlugin(config: GithubPluginConfig, deps: GithubPluginDeps): GithubPlugin {
  const log = deps.logger.child({ forge: 'github' });
  const appId = Number(config.appId);
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    log,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(deps.Octokit ? { Octokit: deps.Octokit } : {}),
  });
  const clients = githubClients(probot, appId, log, createCommitFiles(deps.redis, {}, deps.keys));
  const reporter = createBuildReporter({
    forgeFor: (target) => clients.forgeFor(target.installationId ?? 0),
    checks: createCheckRuns({ octokitFor: clients.octokitFor, publicUrl: deps.publicUrl, logger: log }),
    state: createReportState(deps.redis, deps.keys),
    tail: deps.tail,
    publicUrl: deps.publicUrl,
    commentMax: GITHUB_COMMENT_MAX,
    logger: log,
  });
  const events = ownDispatcher(deps, log);
  const store = createPolicyStore(deps.redis, deps.keys);
  // The job data is the neutral event the ingress mapped: plain JSON, installation id included.
  const onEvent = async (event: ForgeEvent, accepted: Accepted) => {
    const forge = await clients.forgeFor(event.repo.installationId ?? 0);
    const logger = log.child({ delivery: event.deliveryId, repo: event.repo.repo });
    // forges.md: PRs from forks wait for /ok-to-test like those of untrusted authors.
    const policy = { forge, builds: deps.builds, store, logger, reporter, holdForks: true };
    await handleForgeEvent(event, { ...policy, receivedAt: accepted.at });
  };
  const handler = createGithubIngress({
    secret: config.webhookSecret,
    appId,
    onEvent,
    dispatcher: events.dispatcher,
    bodies: deps.bodies,
    logger: log,
  });
  events.start();
  return {
    name: 'github',
    handlers: [handler],
    adapter: createGithubAdapter(clients, reporter, log),
    enabledBy: 'APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET',
    drain: (timeoutMs) => events.dispatcher.drain(timeoutMs),
    close: (timeoutMs) => events.close(timeoutMs),
  };
}
