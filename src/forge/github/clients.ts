import type { Logger } from 'pino';
import type { Probot } from 'probot';
import type { CommitFiles } from '../commit-files.ts';
import type { GithubClients } from './adapter.ts';
import { GithubForge } from './forge.ts';
import type { Octokit } from './octokit.ts';

/**
 * Installation clients from the Probot app: one Octokit per installation (Probot caches
 * the tokens), and the bot's identity (`<slug>[bot]`, read once from `GET /app`).
 */
export function githubClients(
  probot: Probot,
  appId: number,
  log: Logger,
  files: CommitFiles | null = null,
): GithubClients {
  const octokits = new Map<number, Promise<Octokit>>();
  let login: Promise<string | null> | null = null;
  const bot = {
    appId,
    login: () => {
      login ??= probot
        .auth()
        .then((app) => app.rest.apps.getAuthenticated())
        .then((r) => (r.data?.slug ? `${r.data.slug}[bot]` : null))
        .catch((err: unknown) => {
          log.warn({ err }, 'cannot read the App slug (GET /app); comments are matched by bot type');
          login = null;
          return null;
        });
      return login;
    },
  };
  const octokitFor = (installationId: number): Promise<Octokit> => {
    let octokit = octokits.get(installationId);
    if (!octokit) {
      octokit = probot.auth(installationId) as Promise<Octokit>;
      octokit.catch(() => octokits.delete(installationId));
      octokits.set(installationId, octokit);
    }
    return octokit;
  };
  return { octokitFor, forgeFor: async (id: number) => new GithubForge(await octokitFor(id), bot, files) };
}
