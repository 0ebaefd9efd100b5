import { Gitlab } from '@gitbeaker/rest';
import { ForgeError } from '../../errors.ts';
import { callGitlab } from '../../forge/gitlab/client.ts';
import { permissionFor } from '../../forge/gitlab/forge.ts';
import { type OAuthEndpoints, TokenRejectedError, type UserForge } from './types.ts';

type Access = { access_level?: number } | null | undefined;

/** GitLab as a signed-in user sees it: an OAuth application on GITLAB_URL. */
export function gitlabUserForge(o: { url: string; clientId: string; clientSecret: string }): UserForge {
  const oauth: OAuthEndpoints = {
    issuer: o.url,
    authorizeUrl: `${o.url}/oauth/authorize`,
    tokenUrl: `${o.url}/oauth/token`,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    scope: 'read_api read_user',
  };
  const client = (token: string) => new Gitlab({ host: o.url, oauthToken: token, queryTimeout: 15_000 });
  /** The answer, null on 403/404; TokenRejectedError on 401. */
  const ask = async <T>(what: string, run: () => Promise<T>, signal: AbortSignal): Promise<T | null> => {
    try {
      return await callGitlab(what, run, signal);
    } catch (error) {
      const status = error instanceof ForgeError ? error.status : null;
      if (status === 401) throw new TokenRejectedError('gitlab');
      if (status === 403 || status === 404) return null;
      throw error;
    }
  };
  return {
    name: 'gitlab',
    oauth,
    async me(token, signal) {
      const user = await ask('current user', () => client(token).Users.showCurrentUser(), signal);
      if (!user) throw new TokenRejectedError('gitlab');
      return {
        id: String(user.id),
        login: String(user.username),
        name: (user.name as string | undefined) ?? null,
      };
    },
    async permission(token, repo, signal) {
      const project = await ask(`project ${repo}`, () => client(token).Projects.show(repo), signal);
      if (!project) return 'none';
      const p = project.permissions as { project_access?: Access; group_access?: Access } | undefined;
      const level = Math.max(p?.project_access?.access_level ?? 0, p?.group_access?.access_level ?? 0);
      if (level >= 20) return permissionFor(level);
      // Guests and non-members read the builds of public and internal projects only
      // (a guest of a private project cannot see its pipelines on GitLab either).
      return project.visibility === 'private' ? 'none' : 'read';
    },
    async refs(token, repo, signal) {
      const api = client(token);
      const page = { perPage: 100, maxPages: 1 } as const;
      const [project, branches, tags] = await Promise.all([
        ask(`project ${repo}`, () => api.Projects.show(repo), signal),
        ask(`branches of ${repo}`, () => api.Branches.all(repo, page), signal),
        ask(`tags of ${repo}`, () => api.Tags.all(repo, page), signal),
      ]);
      return {
        branches: (branches ?? []).map((b) => String(b.name)),
        tags: (tags ?? []).map((t) => String(t.name)),
        defaultBranch: (project?.default_branch as string | undefined) ?? null,
      };
    },
    async file(token, repo, ref, path, signal) {
      const raw = await ask(
        `${path} of ${repo}`,
        () => client(token).RepositoryFiles.showRaw(repo, path, ref),
        signal,
      );
      if (raw === null) return null;
      return typeof raw === 'string' ? raw : await (raw as Blob).text();
    },
  };
}
