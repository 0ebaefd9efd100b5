import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createNodeMiddleware, Probot, type ProbotOctokit } from 'probot';
import type { BuildService } from '../../builds/service.ts';
import { GITHUB_COMMENT_MAX } from '../../report/summary.ts';
import type { HttpHandler } from '../../web/types.ts';
import type { Accepted, EventDispatcher } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { ownDispatcher } from '../own-dispatcher.ts';
import { createPolicyStore, handleForgeEvent } from '../policy/index.ts';
import { createReportState } from '../report-state.ts';
import { createBuildReporter, type TailFn } from '../reporter.ts';
import type { ForgeAdapter } from '../types.ts';
import { createGithubAdapter } from './adapter.ts';
import { createCheckRuns } from './checks.ts';
import { githubClients } from './clients.ts';
import { toForgeEvent } from './events.ts';
import { webhookHandler } from './ingress.ts';

/** Probot's webhook path. */
export const GITHUB_WEBHOOK_PATH = '/api/github/webhooks';

/** The GitHub App's settings (Config.github plus the public URL for links). */
export interface GithubPluginConfig {
  appId: string;
  privateKey: string;
  webhookSecret: string;
  /** `${GHE_PROTOCOL}://${GHE_HOST}/api/v3`, or null for github.com. */
  baseUrl: string | null;
  publicUrl: string | null;
}

/** The GitHub plugin's collaborators. */
export interface GithubPluginDeps {
  builds: BuildService;
  redis: Redis;
  logger: Logger;
  /** The last n lines of a step's log (the log store's tail). */
  tail: TailFn;
  /** Octokit class to use (tests pass one without retry delays); Probot's by default. */
  Octokit?: typeof ProbotOctokit;
  /**
   * Where accepted deliveries go (the app's durable one, shared with the other forges;
   * the plug-in registers its handler, the caller starts it). By default one of its own
   * on the `berth-events-github` queue over `redis`, started and closed by the plug-in.
   */
  dispatcher?: EventDispatcher;
}

/** What Berth's composition root wires: the webhook handler and the worker's adapter. */
export interface GithubPlugin {
  name: 'github';
  handlers: HttpHandler[];
  adapter: ForgeAdapter;
  /** The variables that turn GitHub on (for the start-up log line). */
  enabledBy: string;
  /** Waits (bounded) until the deliveries accepted so far have been handled. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops handling deliveries, waiting (bounded, 10 s by default) for those running; the rest stay queued. */
  close(timeoutMs?: number): Promise<void>;
}

/** Builds the GitHub App: Probot ingress → policy → BuildService, and the worker adapter. */
export async function createGithubPlugin(
  config: GithubPluginConfig,
  deps: GithubPluginDeps,
): Promise<GithubPlugin> {
  const log = deps.logger.child({ forge: 'github' });
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    log,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(deps.Octokit ? { Octokit: deps.Octokit } : {}),
  });
  const clients = githubClients(probot, Number(config.appId), log);
  const reporter = createBuildReporter({
    forgeFor: (target) => clients.forgeFor(target.installationId ?? 0),
    checks: createCheckRuns({ octokitFor: clients.octokitFor, publicUrl: config.publicUrl, logger: log }),
    state: createReportState(deps.redis),
    tail: deps.tail,
    publicUrl: config.publicUrl,
    commentMax: GITHUB_COMMENT_MAX,
    logger: log,
  });
  const events = ownDispatcher(deps, log);
  const store = createPolicyStore(deps.redis);
  const handle = async (event: ForgeEvent, accepted: Accepted) => {
    const forge = await clients.forgeFor(event.repo.installationId ?? 0);
    const logger = log.child({ delivery: event.deliveryId, repo: event.repo.repo });
    // forges.md: PRs from forks wait for /ok-to-test like those of untrusted authors.
    const policy = { forge, builds: deps.builds, store, logger, reporter, holdForks: true };
    await handleForgeEvent(event, { ...policy, receivedAt: accepted.at });
  };
  // The job data is the neutral event toForgeEvent built: plain JSON, installation id included.
  events.dispatcher.register('github', (data, accepted) => handle(data as ForgeEvent, accepted));
  const middleware = await createNodeMiddleware(
    (app: Probot) => {
      app.onAny(async (context) => {
        const event = toForgeEvent(
          { id: context.id, name: context.name, payload: context.payload },
          Number(config.appId),
        );
        if (!event || event.repo.installationId === undefined) return;
        if (!(await events.dispatcher.submit('github', event.deliveryId, event))) {
          throw Object.assign(new Error('Berth could not store the delivery; redeliver later'), {
            status: 503,
          });
        }
      });
    },
    { probot, webhooksPath: GITHUB_WEBHOOK_PATH },
  );
  events.start();
  return {
    name: 'github',
    handlers: [webhookHandler({ path: GITHUB_WEBHOOK_PATH, secret: config.webhookSecret, middleware })],
    adapter: createGithubAdapter(clients, reporter, log),
    enabledBy: 'APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET',
    drain: (timeoutMs) => events.dispatcher.drain(timeoutMs),
    close: (timeoutMs = 10_000) => events.close(timeoutMs),
  };
}
