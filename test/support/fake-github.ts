import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import {
  checkRunRefusal,
  commentRefusal,
  permissionOfRole,
  type Refusal,
  statusRefusal,
} from './fake-github-rules.ts';
import { serveSignIn, type UserView } from './fake-github-users.ts';
import { FakeOAuth } from './fake-oauth.ts';

/** One request the fake answered (or refused). */
export interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}
interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}
interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  user: { login: string };
  head: { sha: string; ref: string; repo: { full_name: string } };
  base: { repo: { full_name: string } };
}

type Handler = (
  m: string[],
  body: Record<string, unknown> | null,
  res: ServerResponse,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
) => void | Promise<void>;

/** The installation token the fake hands out; repository routes require it. */
export const INSTALLATION_TOKEN = 'ghs_test';

/**
 * An HTTP-level stand-in for GitHub's REST API under `/api/v3` (GHE-style). It keeps
 * just enough state for Berth, records every request, and answers anything else with
 * 500 while remembering it in `unexpected` (tests assert it stays empty). Like GitHub
 * it wants the App's JWT on `/app…` and the installation token elsewhere, refuses
 * what GitHub refuses (422: descriptions over 140, comments over 65,536, check-run
 * output over 65,535 characters), pages comment lists with a `Link` header, and
 * redirects tarball downloads (302) to a codeload URL.
 */
export class FakeGithub implements UserView {
  readonly requests: Recorded[] = [];
  /** The App's user authorization (`/login/oauth/…`) and the people who can sign in. */
  readonly oauth = new FakeOAuth('Iv1.fake-client-id', 'fake-client-secret');
  /** `login repo` → role, for requests made with a user's token. */
  readonly access = new Map<string, string>();
  readonly publicRepos = new Set<string>();
  readonly refs = new Map<string, { branches: string[]; tags: string[] }>();
  /** Files a user's token reads: `repo ref:path` → text. */
  readonly userFiles = new Map<string, string>();
  readonly unexpected: string[] = [];
  /** Requests refused the way GitHub refuses them (422): Berth should provoke none. */
  readonly refused: string[] = [];
  /** `http://127.0.0.1:PORT/api/v3` once started. */
  baseUrl = '';

  /** What `berth serve` needs to sign users in here (GitHub Enterprise at this fake). Call after start(). */
  signInEnv(): Record<string, string> {
    return {
      GHE_HOST: new URL(this.baseUrl).host,
      GHE_PROTOCOL: 'http',
      GITHUB_CLIENT_ID: this.oauth.clientId,
      GITHUB_CLIENT_SECRET: this.oauth.clientSecret,
    };
  }
  readonly statuses: Array<{
    sha: string;
    state: string;
    context: string;
    description: string;
    target_url?: string;
  }> = [];
  readonly comments = new Map<number, Comment[]>();
  readonly checkRuns = new Map<number, Record<string, unknown>>();
  readonly files = new Map<string, string>();
  readonly pulls = new Map<number, PullRequest>();
  readonly permissions = new Map<string, string>();
  /** Status code to answer check-run writes with (403 = no `checks: write`). */
  checksStatus = 201;
  /** Status code of the tarball endpoint (404 = an API that serves none). */
  tarballStatus = 200;
  /** While set, every API request waits for it before being answered. */
  gate: Promise<void> | null = null;
  private nextId = 1000;
  private readonly server: Server;
  private readonly routes: Array<[string, RegExp, Handler]>;

  readonly repo: string;

  constructor(repo = 'acme/app') {
    this.repo = repo;
    const r = `/repos/${repo}`;
    const re = (p: string) => new RegExp(`^${p.replace(/\//g, '\\/')}$`);
    this.routes = [
      ['GET', re('/app'), (_m, _b, res) => json(res, 200, { id: 1, slug: 'berth', name: 'Berth' })],
      [
        'POST',
        re('/app/installations/(\\d+)/access_tokens'),
        (_m, _b, res) =>
          json(res, 201, {
            token: INSTALLATION_TOKEN,
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
            permissions: {},
            repository_selection: 'all',
          }),
      ],
      [
        'GET',
        re(`${r}/contents(?:/(.*))?`),
        (m, _b, res, q, h) => this.content(m[1] ?? '', q, res, h.accept ?? ''),
      ],
      [
        'POST',
        re(`${r}/statuses/([0-9a-f]+)`),
        (m, b, res) => {
          const refusal = statusRefusal(b);
          if (refusal) return this.refuse(res, refusal);
          this.statuses.push({
            sha: m[1] ?? '',
            ...(b as { state: string; context: string; description: string }),
          });
          json(res, 201, { id: this.nextId++ });
        },
      ],
      [
        'GET',
        re(`${r}/issues/(\\d+)/comments`),
        (m, _b, res, q) => this.page(this.comments.get(Number(m[1])) ?? [], q, res),
      ],
      [
        'POST',
        re(`${r}/issues/(\\d+)/comments`),
        (m, b, res) => {
          const refusal = commentRefusal(b);
          if (refusal) return this.refuse(res, refusal);
          const list = this.comments.get(Number(m[1])) ?? [];
          const comment = {
            id: this.nextId++,
            body: String(b?.body),
            user: { login: 'berth[bot]', type: 'Bot' },
          };
          this.comments.set(Number(m[1]), [...list, comment]);
          json(res, 201, comment);
        },
      ],
      [
        'PATCH',
        re(`${r}/issues/comments/(\\d+)`),
        (m, b, res) => {
          const comment = [...this.comments.values()].flat().find((c) => c.id === Number(m[1]));
          if (!comment) return json(res, 404, { message: 'Not Found' });
          const refusal = commentRefusal(b);
          if (refusal) return this.refuse(res, refusal);
          comment.body = String(b?.body);
          json(res, 200, comment);
        },
      ],
      [
        'GET',
        re(`${r}/pulls/(\\d+)`),
        (m, _b, res) => {
          const pr = this.pulls.get(Number(m[1]));
          json(res, pr ? 200 : 404, pr ?? { message: 'Not Found' });
        },
      ],
      [
        'GET',
        re(`${r}/commits/([0-9a-f]+)/pulls`),
        (m, _b, res) =>
          json(
            res,
            200,
            [...this.pulls.values()].filter((p) => p.head.sha === m[1]),
          ),
      ],
      [
        'GET',
        re(`${r}/git/commits/([0-9a-f]+)`),
        (m, _b, res) =>
          json(res, 200, {
            sha: m[1],
            message: 'a commit\n\nbody',
            author: { date: '2026-01-01T00:00:00Z' },
            committer: { date: '2026-01-01T00:00:01Z' },
          }),
      ],
      [
        'GET',
        re(`${r}/collaborators/([^/]+)/permission`),
        (m, _b, res) => {
          const role = this.permissions.get(m[1] ?? '') ?? 'read';
          json(res, 200, { permission: permissionOfRole(role), role_name: role, user: { login: m[1] } });
        },
      ],
      ['POST', re(`${r}/check-runs`), (_m, b, res) => this.checkRun(null, b, res)],
      ['PATCH', re(`${r}/check-runs/(\\d+)`), (m, b, res) => this.checkRun(Number(m[1]), b, res)],
      ['GET', re(`${r}/tarball/([0-9a-f]+)`), (m, _b, res) => this.redirectToCodeload(m[1] ?? '', res)],
      [
        'GET',
        re(`/_codeload/${repo}/legacy.tar.gz/([0-9a-f]+)`),
        (m, _b, res, q) =>
          q.get('token') === 'codeload-token'
            ? this.tarball(m[1] ?? '', res)
            : json(res, 404, { message: 'Not Found' }),
      ],
    ];
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  /** Listens on a free port; returns the API base URL (`http://127.0.0.1:PORT/api/v3`). */
  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.baseUrl = `http://127.0.0.1:${address.port}/api/v3`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Adds a file at a commit (contents API and tarball). */
  /** The check run Berth wrote for build `externalId`, if any. */
  checkRunOf(externalId: string): Record<string, unknown> | undefined {
    return [...this.checkRuns.values()].find((run) => run.external_id === externalId);
  }

  addFile(sha: string, path: string, text: string): void {
    this.files.set(`${sha}:${path}`, text);
  }

  /** A person who can sign in with GitHub, with roles on repositories (`repo` → role). */
  addUser(login: string, id: number, roles: Record<string, string> = {}): void {
    this.oauth.addUser(login, id, `${login[0]?.toUpperCase()}${login.slice(1)}`);
    for (const [repo, role] of Object.entries(roles)) this.access.set(`${login} ${repo}`, role);
  }

  private async serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    if (serveSignIn(this, req, url, text, res)) return;
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    const method = req.method ?? 'GET';
    if (this.gate) await this.gate;
    this.requests.push({ method, path: `${path}${url.search}`, body });
    const auth = authProblem(path, req.headers.authorization);
    if (auth) {
      this.unexpected.push(`${method} ${path}: ${auth}`);
      return json(res, 401, { message: 'Bad credentials' });
    }
    for (const [m, pattern, handler] of this.routes) {
      const match = m === method ? pattern.exec(path) : null;
      if (match)
        return handler(
          [...match].map((s) => decodeURIComponent(s ?? '')),
          body,
          res,
          url.searchParams,
          req.headers,
        );
    }
    this.unexpected.push(`${method} ${path}`);
    json(res, 500, { message: `unexpected request ${method} ${path}` });
  }

  /** A 422 GitHub would give; recorded so a test can assert Berth never provoked one. */
  private refuse(res: ServerResponse, refusal: Refusal) {
    this.refused.push(`${refusal.status} ${refusal.body.errors?.[0]?.message ?? refusal.body.message}`);
    json(res, refusal.status, refusal.body);
  }

  /** GitHub's pagination: `per_page` (default 30, at most 100), `page`, and a `Link` header. */
  private page(items: unknown[], query: URLSearchParams, res: ServerResponse) {
    const perPage = Math.min(100, Number(query.get('per_page') ?? 30) || 30);
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (page < last) {
      const at = (n: number) => {
        const q = new URLSearchParams(query);
        q.set('page', String(n));
        return `<${this.baseUrl}${this.pathOfLastRequest()}?${q}>`;
      };
      headers.link = `${at(page + 1)}; rel="next", ${at(last)}; rel="last"`;
    }
    res.writeHead(200, headers).end(JSON.stringify(items.slice((page - 1) * perPage, page * perPage)));
  }

  private pathOfLastRequest(): string {
    return (this.requests.at(-1)?.path ?? '').split('?')[0] ?? '';
  }

  private redirectToCodeload(sha: string, res: ServerResponse) {
    if (this.tarballStatus !== 200) return json(res, this.tarballStatus, { message: 'Not Found' });
    const location = `${this.baseUrl}/_codeload/${this.repo}/legacy.tar.gz/${sha}?token=codeload-token`;
    res.writeHead(302, { location }).end();
  }

  private content(path: string, query: URLSearchParams, res: ServerResponse, accept: string) {
    const ref = query.get('ref');
    if (!ref) {
      this.unexpected.push(`GET contents/${path} without ?ref= (GitHub would read the default branch)`);
      return json(res, 500, { message: 'Berth must name the commit' });
    }
    const text = this.files.get(`${ref}:${path}`);
    if (text !== undefined) {
      if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
        return;
      }
      const size = Buffer.byteLength(text);
      // Like GitHub: over 1 MB the JSON form carries no content, only the raw media type does.
      if (size > 1024 * 1024)
        return json(res, 200, { type: 'file', name: path, path, size, encoding: 'none', content: '' });
      const content = Buffer.from(text).toString('base64');
      return json(res, 200, { type: 'file', name: path, path, size, encoding: 'base64', content });
    }
    const prefix = path ? `${ref}:${path}/` : `${ref}:`;
    const below = [...this.files.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
    if (below.length === 0) return json(res, 404, { message: 'Not Found' });
    const names = [...new Set(below.map((rest) => rest.split('/')[0] ?? ''))];
    const listing = names.map((name) => {
      const full = path ? `${path}/${name}` : name;
      return { name, path: full, type: this.files.has(`${ref}:${full}`) ? 'file' : 'dir' };
    });
    json(res, 200, listing);
  }

  private checkRun(id: number | null, body: Record<string, unknown> | null, res: ServerResponse) {
    if (this.checksStatus === 403)
      return json(res, 403, { message: 'Resource not accessible by integration' });
    if (id !== null && !this.checkRuns.has(id)) return json(res, 404, { message: 'Not Found' });
    const refusal = checkRunRefusal(body, id === null);
    if (refusal) return this.refuse(res, refusal);
    const runId = id ?? this.nextId++;
    const run = { ...(this.checkRuns.get(runId) ?? {}), ...body, id: runId };
    this.checkRuns.set(runId, run);
    json(res, id ? 200 : 201, run);
  }

  private async tarball(sha: string, res: ServerResponse) {
    const archive = pack();
    res.writeHead(200, { 'content-type': 'application/x-gzip' });
    const done = once(archive.pipe(createGzip()).pipe(res), 'finish');
    for (const [key, text] of this.files) {
      if (key.startsWith(`${sha}:`))
        archive.entry(
          { name: `acme-app-${sha.slice(0, 7)}/${key.slice(sha.length + 1)}`, mode: 0o755 },
          text,
        );
    }
    archive.finalize();
    await done;
  }
}

/** What is wrong with the credentials of a request, or null: the App's JWT on `/app…`, the installation token elsewhere. */
function authProblem(path: string, header: string | undefined): string | null {
  if (path.startsWith('/_codeload/')) return null;
  if (path === '/app' || path.startsWith('/app/')) {
    return /^bearer [\w-]+\.[\w-]+\.[\w-]+$/i.test(header ?? '') ? null : 'wants the App JWT (bearer)';
  }
  return header === `token ${INSTALLATION_TOKEN}` ? null : 'wants the installation token';
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
