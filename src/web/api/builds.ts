import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { RedisLogStore } from '../../logs/redis-store.ts';
import { readBody, sendJson, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';
import { hasBearer } from './auth.ts';
import { buildJson } from './build-json.ts';
import { sendTextLog, streamLog } from './logs.ts';
import { startRequest } from './start-request.ts';

/** The API's collaborators and its two security knobs. */
export interface BuildsApiOptions {
  service: BuildService;
  logs: RedisLogStore;
  /** BERTH_API_TOKEN; null disables `POST /api/builds`. */
  apiToken: string | null;
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
    if (path === '/api/builds' && req.method === 'GET') {
      const repo = url.searchParams.get('repo');
      const limit = Number(url.searchParams.get('limit') ?? 50) || 50;
      const records = await o.service.list({ ...(repo ? { repo } : {}), limit });
      sendJson(res, 200, { builds: records.map(buildJson) });
      return true;
    }
    if (req.method !== 'GET') return false;
    const build = BUILD.exec(path)?.[1];
    if (build) {
      const record = await o.service.get(build);
      if (record) sendJson(res, 200, buildJson(record));
      else sendJson(res, 404, { error: `no build ${build}` });
      return true;
    }
    const logs = LOGS.exec(path)?.[1];
    if (!logs) return false;
    if (!(await o.service.get(logs))) {
      sendJson(res, 404, { error: `no build ${logs}` });
      return true;
    }
    if ((req.headers.accept ?? '').includes('text/event-stream')) {
      await streamLog({ ...o, heartbeatMs: o.heartbeatMs ?? 15_000 }, logs, req, res);
    } else await sendTextLog(o.logs, logs, res);
    return true;
  };
}

async function start(o: BuildsApiOptions, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!hasBearer(req, o.apiToken)) {
    const error = o.apiToken ? 'missing or wrong bearer token' : 'BERTH_API_TOKEN is not set on this server';
    res.setHeader('www-authenticate', 'Bearer');
    sendJson(res, 401, { error });
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
  const { id } = await o.service.request(parsed.request);
  o.logger.info({ id, source: `${parsed.request.forge}:${parsed.request.repo}` }, 'build started by API');
  sendJson(res, 201, { id });
  return true;
}
