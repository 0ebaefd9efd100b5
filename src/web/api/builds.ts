import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { RedisLogStore } from '../../logs/redis-store.ts';
import { type BuildState, buildStates } from '../../vocab/index.ts';
import type { Viewer, WebAccess } from '../access/access.ts';
import { readableBuilds } from '../access/readable-builds.ts';
import { sameOrigin } from '../auth/same-origin.ts';
import { readBody, sendJson, urlOf } from '../respond.ts';
import { passwordInputs } from '../start/options.ts';
import type { HttpHandler } from '../types.ts';
import { buildJson } from './build-json.ts';
import { sendTextLog, streamLog } from './logs.ts';
import { startRequest } from './start-request.ts';

/** The API's collaborators and its two security knobs. */
export interface BuildsApiOptions {
  service: BuildService;
  logs: RedisLogStore;
  /** Who may read and start what (admin token, sessions, forge access). */
  access: WebAccess;
  /** BERTH_LOCAL_SOURCES: folders `local:` sources must be inside. */
  localSources: readonly string[];
  logger: Logger;
  heartbeatMs?: number;
}

const BUILD = /^\/api\/builds\/([a-z0-9]{1,64})$/;
const LOGS = /^\/api\/builds\/([a-z0-9]{1,64})\/logs$/;

/** The JSON build API: start a build, read records, read or follow logs. */
export function createBuildsApi(o: BuildsApiOptions): HttpHandler {
  return async (req, res) => {
    const url = urlOf(req);
    const path = url.pathname;
    if (path === '/api/builds' && req.method === 'POST') return start(o, req, res);
    if (req.method !== 'GET' || !path.startsWith('/api/builds')) return false;
    const viewer = await o.access.viewer(req);
    if (viewer.kind === 'anonymous' && !o.access.publicRead) {
      sendJson(
        res,
        401,
        { error: 'sign in, or send the admin bearer token' },
        { 'www-authenticate': 'Bearer' },
      );
      return true;
    }
    if (path === '/api/builds') return list(o, viewer, url, res);
    const build = BUILD.exec(path)?.[1];
    const logs = LOGS.exec(path)?.[1];
    const id = build ?? logs;
    if (!id) return false;
    const record = await o.service.get(id);
    if (
      !record ||
      !(await o.access.canRead(viewer, { forge: record.request.forge, repo: record.request.repo }))
    ) {
      sendJson(res, 404, { error: `no build ${id}` });
      return true;
    }
    if (build) sendJson(res, 200, buildJson(record));
    else if ((req.headers.accept ?? '').includes('text/event-stream')) {
      await streamLog({ ...o, heartbeatMs: o.heartbeatMs ?? 15_000 }, id, req, res);
    } else await sendTextLog(o.logs, id, res);
    return true;
  };
}

/** `GET /api/builds`: newest first, only builds of repositories the viewer can read. */
async function list(o: BuildsApiOptions, viewer: Viewer, url: URL, res: ServerResponse): Promise<true> {
  const repo = url.searchParams.get('repo');
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, 500);
  const status = statusFilter(url.searchParams.get('status'));
  if (status === 'invalid') {
    sendJson(res, 400, { error: `status: must be a comma-separated list of ${buildStates.join(', ')}` });
    return true;
  }
  const filter = { ...(repo ? { repo } : {}), ...(status ? { status } : {}) };
  const records = await readableBuilds(o.service, o.access, viewer, filter, limit);
  sendJson(res, 200, { builds: records.map(buildJson) });
  return true;
}

/**
 * `POST /api/builds`: the admin (bearer token or session) starts any build; a signed-in
 * user starts builds of repositories they can write (same-origin only), as the actor.
 */
async function start(o: BuildsApiOptions, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const viewer = await o.access.viewer(req);
  if (viewer.kind === 'anonymous') {
    const error = o.access.adminSignIn
      ? 'missing or wrong bearer token'
      : 'sign in, or set BERTH_API_TOKEN on this server';
    res.setHeader('www-authenticate', 'Bearer');
    sendJson(res, 401, { error });
    return true;
  }
  if (!sameOrigin(req)) {
    sendJson(res, 403, { error: 'cross-origin request refused' });
    return true;
  }
  const text = await readBody(req);
  if (text === null) {
    sendJson(res, 413, { error: 'body: larger than 1 MiB' });
    return true;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    sendJson(res, 400, { error: 'body: is not valid JSON' });
    return true;
  }
  const parsed = await startRequest(body, o.localSources);
  if (!parsed.ok) {
    sendJson(res, 400, { error: parsed.message });
    return true;
  }
  const request = parsed.request;
  const target = { forge: request.forge, repo: request.repo };
  if (viewer.kind === 'user') {
    if (!(await o.access.canRead(viewer, target))) {
      sendJson(res, 404, { error: `source: no repository ${request.repo} you can read` });
      return true;
    }
    if (!(await o.access.canWrite(viewer, target))) {
      sendJson(res, 403, { error: `starting a build needs write access to ${request.repo}` });
      return true;
    }
    request.actor = viewer.login;
    const forge = o.access.forges[viewer.forge];
    const token = viewer.session.token;
    // Password inputs, as the pipeline at this ref declares them, never reach the record.
    const signal = AbortSignal.timeout(20_000);
    const secret =
      forge && token
        ? await passwordInputs(forge, token, request.repo, request.ref, signal).catch(() => null)
        : [];
    if (secret === null) {
      // Without the pipeline Berth cannot tell which values are passwords: start nothing.
      sendJson(res, 502, { error: `${viewer.forge} did not answer; try again` });
      return true;
    }
    if (secret.length > 0) request.secretInputs = secret;
  }
  if (parsed.rerun === 'failed') {
    // Reuse the steps that succeeded in the newest finished build of this commit (the worker checks the variables).
    const ran = await o.service.list({ forge: request.forge, repo: request.repo, sha: request.sha ?? '' });
    const last = ran.find((r) => r.status !== 'queued' && r.status !== 'running');
    if (last) request.reuseFrom = last.id;
  }
  const { id } = await o.service.request(request);
  o.logger.info({ id, source: `${parsed.request.forge}:${parsed.request.repo}` }, 'build started by API');
  sendJson(res, 201, { id });
  return true;
}

/** `?status=failed,error` → the states; null when absent; 'invalid' for unknown names. */
function statusFilter(param: string | null): BuildState[] | null | 'invalid' {
  if (!param) return null;
  const names = param.split(',').filter(Boolean);
  const known = (name: string): name is BuildState => (buildStates as readonly string[]).includes(name);
  return names.every(known) ? names : 'invalid';
}
