import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { type Match, notFound, pagedReply, type Reply, type Route, send, tarGz } from './fake-gitlab-http.ts';
import { type GitlabUserView, serveSignIn } from './fake-gitlab-users.ts';
import { FakeOAuth } from './fake-oauth.ts';

/** One request the fake answered (or refused). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
  token: string | undefined;
}

export interface FakeUser {
  id: number;
  username: string;
}

export interface FakeNote {
  id: number;
  body: string;
  author: { id: number; username: string };
  system: boolean;
}

export interface FakeStatus {
  name: string;
  ref: string;
  state: string;
  target_url: string | null;
  description: string | null;
}

interface FakeProject {
  id: number;
  path: string;
  files: Map<string, Map<string, string>>;
  archives: Map<string, Record<string, string>>;
  commits: Map<string, { message: string }>;
  /** Commits reachable from a branch (GitLab finds a status's ref among them when none is given). */
  onBranch: Set<string>;
  members: Map<number, number>;
  /** Statuses in the order they were posted, per sha. */
  statuses: Map<string, FakeStatus[]>;
  notes: Map<number, FakeNote[]>;
  mergeRequests: Map<number, Record<string, unknown>>;
  /** Status writes answer 403 (the token cannot reach a fork). */
  statusForbidden: boolean;
}

/**
 * An HTTP-level stand-in for the GitLab REST API v4: the real gitbeaker client talks
 * to it through `host`. It records every request; an unexpected one is answered 500
 * and makes `close()` reject, which fails the test that owns it. Like GitLab it pages
 * lists (`per_page` default 20, at most 100, `Link` and `X-Next-Page` headers) and
 * refuses a status for a commit it does not have, or without `ref` for a commit on no
 * branch (404 "References for commit").
 */
export class FakeGitlab implements GitlabUserView {
  readonly requests: RecordedRequest[] = [];
  /** The OAuth application (`/oauth/authorize`, `/oauth/token`) and the people who can sign in. */
  readonly oauth = new FakeOAuth('gitlab-fake-app-id', 'gitlab-fake-app-secret');
  readonly access = new Map<string, number>();
  readonly publicProjects = new Set<string>();
  readonly refs = new Map<string, { branches: string[]; tags: string[] }>();
  readonly userFiles = new Map<string, string>();
  readonly unexpected: string[] = [];
  readonly token: string;
  url = '';
  /** The user the token belongs to. */
  bot: FakeUser = { id: 9999, username: 'berth-bot' };
  private readonly users = new Map<string, FakeUser>();
  private readonly projects = new Map<number, FakeProject>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly routes: Array<[string, RegExp, Route]>;
  private nextNoteId = 100;
  private usersRestricted = false;
  private readonly faults: Array<{ method: string; path: RegExp; status: number }> = [];

  private readonly prefix: string;

  /** `prefix` is where a self-managed GitLab lives on its host, e.g. `/gitlab`. */
  constructor(options: { token?: string; prefix?: string } = {}) {
    this.token = options.token ?? 'glpat-test-token';
    this.prefix = `${options.prefix ?? ''}/api/v4/`;
    this.users.set(this.bot.username, this.bot);
    this.routes = [
      ['GET', /^\/user$/, () => ({ status: 200, json: this.bot })],
      ['GET', /^\/users$/, (m) => this.findUsers(m)],
      ['GET', /^\/projects\/([^/]+)$/, (m) => this.showProject(m)],
      ['GET', /^\/projects\/([^/]+)\/repository\/commits\/([0-9a-f]+)$/, (m) => this.showCommit(m)],
      [
        'GET',
        /^\/projects\/([^/]+)\/repository\/commits\/([0-9a-f]+)\/merge_requests$/,
        (m) => this.commitMrs(m),
      ],
      ['GET', /^\/projects\/([^/]+)\/repository\/files\/([^/]+)\/raw$/, (m) => this.rawFile(m)],
      ['GET', /^\/projects\/([^/]+)\/repository\/archive\.tar\.gz$/, (m) => this.archive(m)],
      ['POST', /^\/projects\/([^/]+)\/statuses\/([0-9a-f]+)$/, (m) => this.postStatus(m)],
      ['GET', /^\/projects\/([^/]+)\/merge_requests\/(\d+)$/, (m) => this.showMergeRequest(m)],
      ['GET', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/, (m) => this.listNotes(m)],
      ['POST', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/, (m) => this.createNote(m)],
      ['PUT', /^\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes\/(\d+)$/, (m) => this.editNote(m)],
      ['GET', /^\/projects\/([^/]+)\/members\/all\/(\d+)$/, (m) => this.showMember(m)],
    ];
  }

  /** Starts listening on a free local port. */
  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}${this.prefix.slice(0, -'/api/v4/'.length)}`;
    return this;
  }

  /** Stops the server; rejects when any request was unexpected. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.unexpected.length > 0) {
      throw new Error(`fake GitLab got unexpected requests:\n${this.unexpected.join('\n')}`);
    }
  }

  addUser(username: string, id: number): FakeUser {
    const user = { id, username };
    this.users.set(username, user);
    return user;
  }

  addProject(id: number, path: string): void {
    this.projects.set(id, {
      id,
      path,
      files: new Map(),
      archives: new Map(),
      commits: new Map(),
      onBranch: new Set(),
      members: new Map(),
      statuses: new Map(),
      notes: new Map(),
      mergeRequests: new Map(),
      statusForbidden: false,
    });
  }

  /**
   * The commit `sha` of project `id` holds `files` (raw file API and archive). It is on
   * a branch unless `onBranch` is false (a fork MR head seen from the target project).
   */
  addCommit(
    id: number,
    sha: string,
    files: Record<string, string>,
    message = 'a commit',
    options: { onBranch?: boolean } = {},
  ): void {
    const project = this.project(id);
    project.commits.set(sha, { message });
    if (options.onBranch !== false) project.onBranch.add(sha);
    project.files.set(sha, new Map(Object.entries(files)));
    project.archives.set(sha, files);
  }

  /** A member with an access level (30 Developer, 20 Reporter, 40 Maintainer), direct or inherited. */
  addMember(id: number, userId: number, accessLevel: number): void {
    this.project(id).members.set(userId, accessLevel);
  }

  addMergeRequest(id: number, iid: number, fields: Record<string, unknown>): void {
    this.project(id).mergeRequests.set(iid, { iid, project_id: id, ...fields });
    this.project(id).notes.set(iid, this.project(id).notes.get(iid) ?? []);
  }

  /** Adds a note written by someone else (it must never be edited by the bot). */
  addNote(id: number, iid: number, author: FakeUser, body: string): FakeNote {
    const note = { id: this.nextNoteId++, body, author, system: false };
    this.notesOf(id, iid).push(note);
    return note;
  }

  /** The next request matching method and path is answered with `status` (a GitLab outage). */
  failNext(method: string, path: RegExp, status: number): void {
    this.faults.push({ method, path, status });
  }

  /** `GET /users` answers 403, as on instances that restrict the users API to admins. */
  restrictUsersApi(): void {
    this.usersRestricted = true;
  }

  forbidStatuses(id: number): void {
    this.project(id).statusForbidden = true;
  }

  statusesOf(id: number, sha: string): FakeStatus[] {
    return this.project(id).statuses.get(sha) ?? [];
  }

  notesOf(id: number, iid: number): FakeNote[] {
    const notes = this.project(id).notes.get(iid);
    if (!notes) throw new Error(`fake has no merge request !${iid} in project ${id}`);
    return notes;
  }

  /** Requests matching a method and a path pattern. */
  calls(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private project(id: number | string): FakeProject {
    const project =
      this.projects.get(Number(id)) ?? [...this.projects.values()].find((p) => p.path === String(id));
    if (!project) throw new Error(`fake has no project ${id}`);
    return project;
  }

  /** A person who can sign in with GitLab, with access levels on projects (`path` → level). */
  addSignInUser(login: string, id: number, levels: Record<string, number> = {}): void {
    this.oauth.addUser(login, id, login);
    for (const [path, level] of Object.entries(levels)) this.access.set(`${login} ${path}`, level);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await buffer(req);
    if (serveSignIn(this, this.prefix, req, url, raw, res)) return;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : null,
      token: req.headers['private-token'] as string | undefined,
    };
    this.requests.push(recorded);
    let reply: Reply;
    try {
      reply = await this.route(recorded);
    } catch (error) {
      this.unexpected.push(`${recorded.method} ${url.pathname}${url.search}: ${(error as Error).message}`);
      reply = { status: 500, json: { message: '500 fake GitLab: unexpected request' } };
    }
    send(res, reply);
  }

  private route(recorded: RecordedRequest): Promise<Reply> | Reply {
    if (recorded.token !== this.token) return { status: 401, json: { message: '401 Unauthorized' } };
    const fault = this.faults.findIndex((f) => f.method === recorded.method && f.path.test(recorded.path));
    if (fault >= 0) {
      const { status } = this.faults.splice(fault, 1)[0] as { status: number };
      return { status, json: { message: `${status} injected by the test` } };
    }
    if (!recorded.path.startsWith(this.prefix)) throw new Error(`not under ${this.prefix}`);
    const path = recorded.path.slice(this.prefix.length - 1);
    for (const [method, pattern, route] of this.routes) {
      const match = method === recorded.method ? pattern.exec(path) : null;
      if (match) {
        const params = match.slice(1).map((p) => decodeURIComponent(p));
        return route({ params, query: recorded.query, body: recorded.body });
      }
    }
    throw new Error('no such route in the fake');
  }

  private findUsers({ query }: Match): Reply {
    if (this.usersRestricted) return { status: 403, json: { message: '403 Forbidden' } };
    const user = query.username ? this.users.get(query.username) : undefined;
    if (!query.username) throw new Error('user listing without ?username=');
    return { status: 200, json: user ? [user] : [] };
  }

  private showProject({ params }: Match): Reply {
    const project = this.project(params[0] as string);
    return { status: 200, json: { id: project.id, path_with_namespace: project.path } };
  }

  private showCommit({ params }: Match): Reply {
    const [id, sha] = params as [string, string];
    const commit = this.project(id).commits.get(sha);
    if (!commit) return notFound('Commit');
    return {
      status: 200,
      json: {
        id: sha,
        message: commit.message,
        authored_date: '2026-01-02T03:04:05Z',
        committed_date: '2026-01-02T03:04:06Z',
      },
    };
  }

  private commitMrs({ params }: Match): Reply {
    const [id, sha] = params as [string, string];
    const mrs = [...this.project(id).mergeRequests.values()].filter((mr) => mr.sha === sha);
    return { status: 200, json: mrs };
  }

  private rawFile({ params, query }: Match): Reply {
    const [id, path] = params as [string, string];
    if (!query.ref) throw new Error('raw file without ?ref=');
    const text = this.project(id).files.get(query.ref)?.get(path);
    if (text === undefined) return notFound('File');
    return { status: 200, text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }

  private async archive({ params, query }: Match): Promise<Reply> {
    const project = this.project(params[0] as string);
    const files = query.sha ? project.archives.get(query.sha) : undefined;
    if (!files) return notFound('Commit');
    const top = `${project.path.split('/').pop()}-${query.sha}-${query.sha}`;
    return {
      status: 200,
      bytes: await tarGz(top, files),
      headers: { 'content-type': 'application/octet-stream' },
    };
  }

  private postStatus({ params, body }: Match): Reply {
    const [id, sha] = params as [string, string];
    const project = this.project(id);
    if (project.statusForbidden) return { status: 403, json: { message: '403 Forbidden' } };
    if (!project.commits.has(sha)) return notFound('Commit');
    const ref = (body?.ref as string | undefined) ?? (project.onBranch.has(sha) ? 'main' : undefined);
    if (!ref) return notFound('References for commit');
    const state = String(body?.state);
    if (!['pending', 'running', 'success', 'failed', 'canceled', 'skipped'].includes(state)) {
      return { status: 400, json: { message: 'state does not have a valid value' } };
    }
    const name = String(body?.name ?? 'default');
    const list = project.statuses.get(sha) ?? [];
    const previous = list.filter((s) => s.name === name).at(-1);
    // Like GitLab: a pending/running status is updated in place, so posting its state again
    // is an invalid transition; a finished one is followed by a new status.
    if (previous?.state === state && (state === 'pending' || state === 'running')) {
      const event = state === 'running' ? 'run' : 'enqueue';
      return { status: 400, json: { message: `Cannot transition status via :${event} from :${state}` } };
    }
    const status: FakeStatus = {
      name,
      ref,
      state,
      target_url: (body?.target_url as string | undefined) ?? null,
      description: (body?.description as string | undefined) ?? null,
    };
    list.push(status);
    project.statuses.set(sha, list);
    return { status: 201, json: { id: list.length, sha, status: state, ...status } };
  }

  private showMergeRequest({ params }: Match): Reply {
    const mr = this.project(params[0] as string).mergeRequests.get(Number(params[1]));
    return mr ? { status: 200, json: mr } : notFound('Merge Request');
  }

  private listNotes({ params, query }: Match): Reply {
    const project = this.project(params[0] as string);
    const notes = this.notesOf(project.id, Number(params[1]));
    const path = `${this.prefix}projects/${encodeURIComponent(params[0] as string)}/merge_requests/${params[1]}/notes`;
    return pagedReply(notes, query, new URL(this.url).origin + path);
  }

  private createNote({ params, body }: Match): Reply {
    if (typeof body?.body !== 'string' || body.body.length > 1_000_000) {
      return { status: 400, json: { message: { note: ['is too long (maximum is 1000000 characters)'] } } };
    }
    const project = this.project(params[0] as string);
    const note = { id: this.nextNoteId++, body: body.body, author: this.bot, system: false };
    this.notesOf(project.id, Number(params[1])).push(note);
    return { status: 201, json: note };
  }

  private editNote({ params, body }: Match): Reply {
    const project = this.project(params[0] as string);
    const note = this.notesOf(project.id, Number(params[1])).find((n) => n.id === Number(params[2]));
    if (!note) return notFound('Note');
    if (note.author.id !== this.bot.id) return { status: 403, json: { message: '403 Forbidden' } };
    if (typeof body?.body !== 'string' || body.body.length > 1_000_000) {
      return { status: 400, json: { message: { note: ['is too long (maximum is 1000000 characters)'] } } };
    }
    note.body = body.body;
    return { status: 200, json: note };
  }

  private showMember({ params }: Match): Reply {
    const project = this.project(params[0] as string);
    const level = project.members.get(Number(params[1]));
    if (level === undefined) return notFound('Member');
    const user = [...this.users.values()].find((u) => u.id === Number(params[1]));
    return { status: 200, json: { ...user, access_level: level, state: 'active' } };
  }
}
