// The part of the fake GitHub a signed-in person's own token reaches: who they are,
// the repositories they can see (with their permissions, as `GET /repos/{o}/{r}`
// reports them), branches, tags and file contents. Anything else is unexpected.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthUser } from './fake-oauth.ts';

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
export function serveUser(
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
