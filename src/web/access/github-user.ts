import { Octokit } from '@octokit/core';
import { ForgeError } from '../../errors.ts';
import type { Permission } from '../../forge/types.ts';
import {
  type ForgeUser,
  type OAuthEndpoints,
  type RepoRefs,
  TokenRejectedError,
  type UserForge,
} from './types.ts';

/** GitHub (or GHE) as a signed-in user sees it, through the App's user authorization. */
export function githubUserForge(o: {
  webUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
}): UserForge {
  const oauth: OAuthEndpoints = {
    issuer: o.webUrl,
    authorizeUrl: `${o.webUrl}/login/oauth/authorize`,
    tokenUrl: `${o.webUrl}/login/oauth/access_token`,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    scope: null,
  };
  const client = (token: string) => new Octokit({ auth: token, baseUrl: o.apiUrl });
  const ask = async <T>(
    token: string,
    signal: AbortSignal,
    route: string,
    params: Record<string, unknown>,
  ) => {
    try {
      return (await client(token).request(route, { ...params, request: { signal } })) as { data: T };
    } catch (error) {
      const status = (error as { status?: number }).status ?? null;
      if (status === 401) throw new TokenRejectedError('github');
      if (status === 404 || status === 403) return null;
      throw new ForgeError(`GitHub ${route.split(' ')[1]} failed: ${status ?? 'no response'}`, status, error);
    }
  };
  const split = (repo: string) => {
    const slash = repo.indexOf('/');
    return { owner: repo.slice(0, slash), repo: repo.slice(slash + 1) };
  };
  return {
    name: 'github',
    oauth,
    async me(token, signal) {
      const answer = await ask<{ id: number; login: string; name?: string | null }>(
        token,
        signal,
        'GET /user',
        {},
      );
      if (!answer) throw new TokenRejectedError('github');
      return {
        id: String(answer.data.id),
        login: answer.data.login,
        name: answer.data.name ?? null,
      } satisfies ForgeUser;
    },
    async permission(token, repo, signal) {
      type Repo = { permissions?: { admin?: boolean; maintain?: boolean; push?: boolean; pull?: boolean } };
      const answer = await ask<Repo>(token, signal, 'GET /repos/{owner}/{repo}', split(repo));
      const p = answer?.data.permissions;
      if (!p) return answer ? 'read' : 'none';
      if (p.admin) return 'admin';
      if (p.push || p.maintain) return 'write';
      return p.pull ? 'read' : 'none';
    },
    async refs(token, repo, signal) {
      type Named = Array<{ name: string }>;
      const params = { ...split(repo), per_page: 100 };
      const [info, branches, tags] = await Promise.all([
        ask<{ default_branch?: string }>(token, signal, 'GET /repos/{owner}/{repo}', split(repo)),
        ask<Named>(token, signal, 'GET /repos/{owner}/{repo}/branches', params),
        ask<Named>(token, signal, 'GET /repos/{owner}/{repo}/tags', params),
      ]);
      return {
        branches: (branches?.data ?? []).map((b) => b.name),
        tags: (tags?.data ?? []).map((t) => t.name),
        defaultBranch: info?.data.default_branch ?? null,
      } satisfies RepoRefs;
    },
    async file(token, repo, ref, path, signal) {
      const answer = await ask<string>(token, signal, 'GET /repos/{owner}/{repo}/contents/{path}', {
        ...split(repo),
        path,
        ref,
        mediaType: { format: 'raw' },
      });
      return answer && typeof answer.data === 'string' ? answer.data : null;
    },
  };
}

export type { Permission };
