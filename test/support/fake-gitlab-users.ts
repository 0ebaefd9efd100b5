// The part of the fake GitLab a signed-in person's OAuth token reaches (Authorization:
// Bearer): who they are, projects they can see with their access level as `GET
// /projects/:id` reports it (404 when hidden), branches, tags and raw files.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notFound, type Reply, send } from './fake-gitlab-http.ts';
import type { FakeOAuth, OAuthUser } from './fake-oauth.ts';

/** What the user routes read from the fake. */
export interface GitlabUserView {
  /** `login path` → access level (10 Guest, 20 Reporter, 30 Developer, 40 Maintainer). */
  access: Map<string, number>;
  publicProjects: Set<string>;
  refs: Map<string, { branches: string[]; tags: string[] }>;
  /** `path ref:file` → text. */
  userFiles: Map<string, string>;
  oauth: FakeOAuth;
  unexpected: string[];
  /** The fake's request log (only pushed to). */
  requests: {
    push(entry: {
      method: string;
      path: string;
      query: Record<string, string>;
      body: null;
      token: undefined;
    }): number;
  };
}

/**
 * Answers `/oauth/authorize`, `/oauth/token` and requests carrying a user's bearer
 * token (401 for an unknown one); false for the bot's requests. `apiPrefix` ends in `/api/v4/`.
 */
export function serveSignIn(
  view: GitlabUserView,
  apiPrefix: string,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  res: ServerResponse,
): boolean {
  const root = apiPrefix.slice(0, -'/api/v4/'.length);
  if (url.pathname === `${root}/oauth/authorize` || url.pathname === `${root}/oauth/token`) {
    const reply = url.pathname.endsWith('/authorize')
      ? view.oauth.authorize(url.searchParams)
      : view.oauth.token(new URLSearchParams(raw.toString('utf8')));
    if (reply.location) res.writeHead(reply.status, { location: reply.location }).end();
    else send(res, { status: reply.status, json: reply.json });
    return true;
  }
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer === undefined) return false;
  const method = req.method ?? 'GET';
  const user = view.oauth.userOf(bearer);
  view.requests.push({ method, path: url.pathname, query: {}, body: null, token: undefined });
  const path = url.pathname.slice(apiPrefix.length - 1);
  const reply = user ? userReply(view, user, method, path, Object.fromEntries(url.searchParams)) : null;
  if (user && !reply) view.unexpected.push(`${method} ${url.pathname} with a user token`);
  send(res, reply ?? { status: user ? 500 : 401, json: { message: '401 Unauthorized' } });
  return true;
}

/** The reply to a user-token request, or null when no route matches. */
function userReply(
  view: GitlabUserView,
  user: OAuthUser,
  method: string,
  path: string,
  query: Record<string, string>,
): Reply | null {
  if (method !== 'GET') return null;
  if (path === '/user') return { status: 200, json: { id: user.id, username: user.login, name: user.name } };
  const m = /^\/projects\/([^/]+)(?:\/repository\/(branches|tags|files\/([^/]+)\/raw))?$/.exec(path);
  if (!m) return null;
  const project = decodeURIComponent(m[1] ?? '');
  const level = view.access.get(`${user.login} ${project}`);
  const isPublic = view.publicProjects.has(project);
  if (level === undefined && !isPublic) return notFound('Project');
  const refs = view.refs.get(project) ?? { branches: ['main'], tags: [] };
  if (m[2] === 'branches') return { status: 200, json: refs.branches.map((name) => ({ name })) };
  if (m[2] === 'tags') return { status: 200, json: refs.tags.map((name) => ({ name })) };
  if (m[3] !== undefined) {
    const text = view.userFiles.get(`${project} ${query.ref}:${decodeURIComponent(m[3])}`);
    return text === undefined
      ? notFound('File')
      : { status: 200, text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }
  return {
    status: 200,
    json: {
      id: 1,
      path_with_namespace: project,
      default_branch: refs.branches[0] ?? 'main',
      visibility: isPublic ? 'public' : 'private',
      permissions: {
        project_access: level === undefined ? null : { access_level: level },
        group_access: null,
      },
    },
  };
}
