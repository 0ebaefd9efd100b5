// The part of the fake GitHub a signed-in person's own token reaches: who they are,
// the repositories they can see (with their permissions, as `GET /repos/{o}/{r}`
// reports them), branches, tags and file contents. Anything else is unexpected.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeOAuth, OAuthUser } from './fake-oauth.ts';

/** What the user routes read from the fake. */
export interface UserView {
  /** `login repo` → role (admin, maintain, write, triage, read). */
  access: Map<string, string>;
  /** Repositories anyone can read. */
  publicRepos: Set<string>;
  refs: Map<string, { branches: string[]; tags: string[] }>;
  /** `repo ref:path` → text. */
  userFiles: Map<string, string>;
  unexpected: string[];
  oauth: FakeOAuth;
  /** The fake's request log (only pushed to). */
  requests: { push(entry: { method: string; path: string; body: null }): number };
}

/**
 * Answers `/login/oauth/authorize`, `/login/oauth/access_token` (JSON, as GitHub does
 * with `Accept: application/json`) and requests made with a user's token (401 for a
 * revoked one); false for the App's own requests.
 */
export function serveSignIn(
  view: UserView,
  req: IncomingMessage,
  url: URL,
  body: string,
  res: ServerResponse,
): boolean {
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/login/oauth/')) {
    const reply =
      method === 'GET' && url.pathname === '/login/oauth/authorize'
        ? view.oauth.authorize(url.searchParams)
        : method === 'POST' && url.pathname === '/login/oauth/access_token'
          ? view.oauth.token(new URLSearchParams(body))
          : { status: 404, json: { message: 'Not Found' } };
    if (reply.location) res.writeHead(reply.status, { location: reply.location }).end();
    else json(res, reply.status, reply.json);
    return true;
  }
  const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const user = view.oauth.userOf(token);
  const path = url.pathname.replace(/^\/api\/v3/, '');
  if (user) {
    view.requests.push({ method, path: `${path}${url.search}`, body: null });
    serveUser(view, user, method, path, url.searchParams, req.headers, res);
    return true;
  }
  if (!token?.startsWith('user-')) return false;
  json(res, 401, { message: 'Bad credentials' });
  return true;
}

const json = (res: ServerResponse, status: number, body: unknown): true => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
};

/** The role of `login` on `repo`, `read` for a public one, null when hidden. */
export function roleOf(view: UserView, login: string, repo: string): string | null {
  return view.access.get(`${login} ${repo}`) ?? (view.publicRepos.has(repo) ? 'read' : null);
}

/** Answers a request made with a user's token. */
function serveUser(
  view: UserView,
  user: OAuthUser,
  method: string,
  path: string,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
  res: ServerResponse,
): true {
  if (method === 'GET' && path === '/user')
    return json(res, 200, { id: user.id, login: user.login, name: user.name });
  const m = /^\/repos\/([^/]+\/[^/]+)(?:\/(branches|tags|contents\/(.+)))?$/.exec(path);
  if (method !== 'GET' || !m) {
    view.unexpected.push(`${method} ${path} with a user token`);
    return json(res, 500, { message: 'unexpected' });
  }
  const repo = decodeURIComponent(m[1] ?? '');
  const role = roleOf(view, user.login, repo);
  if (!role) return json(res, 404, { message: 'Not Found' });
  const refs = view.refs.get(repo) ?? { branches: ['main'], tags: [] };
  if (m[2] === 'branches')
    return json(
      res,
      200,
      refs.branches.map((name) => ({ name })),
    );
  if (m[2] === 'tags')
    return json(
      res,
      200,
      refs.tags.map((name) => ({ name })),
    );
  if (m[3] !== undefined) {
    const text = view.userFiles.get(`${repo} ${query.get('ref')}:${decodeURIComponent(m[3])}`);
    if (text === undefined) return json(res, 404, { message: 'Not Found' });
    if (!/application\/vnd\.github(\.v3)?\.raw/.test(headers.accept ?? ''))
      return json(res, 200, {
        type: 'file',
        encoding: 'base64',
        content: Buffer.from(text).toString('base64'),
      });
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    return true;
  }
  const admin = role === 'admin';
  const push = admin || role === 'maintain' || role === 'write';
  return json(res, 200, {
    full_name: repo,
    private: !view.publicRepos.has(repo),
    default_branch: refs.branches[0] ?? 'main',
    permissions: {
      admin,
      maintain: admin || role === 'maintain',
      push,
      triage: push || role === 'triage',
      pull: true,
    },
  });
}
