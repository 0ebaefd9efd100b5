import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { BuildRecord } from '../../builds/types.ts';
import type { SessionAuth } from '../auth/session.ts';
import { localPath, redirect } from '../pages/respond.ts';
import { readBody, sendJson, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';

/** What the cancel/rerun/sign-in handler needs. `auth` null = no BERTH_API_TOKEN: read-only. */
export interface ActionsDeps {
  service: BuildService;
  auth: SessionAuth | null;
  logger: Logger;
}

const ACTION = /^\/api\/builds\/([^/]+)\/(cancel|rerun)$/;

/**
 * `POST /api/builds/:id/cancel`, `POST /api/builds/:id/rerun` (bearer token or session),
 * `POST /session` (sign in with the token) and `POST /session/end` (sign out).
 */
export function createActionsHandler(deps: ActionsDeps): HttpHandler {
  return async (req, res) => {
    if (req.method !== 'POST') return false;
    const { pathname } = urlOf(req);
    if (pathname === '/session') return signIn(deps, req, res);
    if (pathname === '/session/end') return signOut(deps, req, res);
    const match = ACTION.exec(pathname);
    if (!match) return false;
    if (!deps.auth) {
      sendJson(res, 403, { error: 'actions are disabled: set BERTH_API_TOKEN to enable them' });
      return true;
    }
    if (!deps.auth.authorized(req)) {
      sendJson(
        res,
        401,
        { error: 'a valid bearer token or session is required' },
        { 'www-authenticate': 'Bearer' },
      );
      return true;
    }
    if (!sameOrigin(req)) {
      sendJson(res, 403, { error: 'cross-origin request refused' });
      return true;
    }
    const id = decodeURIComponent(match[1] ?? '');
    const record = await deps.service.get(id);
    if (!record) {
      sendJson(res, 404, { error: `no build ${id}` });
      return true;
    }
    if (match[2] === 'cancel') await cancel(deps, record, res);
    else await rerun(deps, record, res);
    return true;
  };
}

async function cancel(deps: ActionsDeps, record: BuildRecord, res: ServerResponse): Promise<void> {
  if (record.status !== 'queued' && record.status !== 'running') {
    sendJson(res, 409, { error: `build ${record.id} has already finished (${record.status})` });
    return;
  }
  const { forge, repo, ref } = record.request;
  const filter = { id: record.id, forge, repo, ref, status: ['queued' as const, 'running' as const] };
  const sha = record.sha ?? record.request.sha;
  const cancelled = await deps.service.cancel(
    sha ? { ...filter, sha } : filter,
    'cancelled from the web page',
  );
  deps.logger.info({ buildId: record.id, repo, cancelled }, 'build cancelled from the web');
  sendJson(res, 202, { cancelled });
}

async function rerun(deps: ActionsDeps, record: BuildRecord, res: ServerResponse): Promise<void> {
  const { deliveryId: _delivery, ...request } = record.request;
  const sha = record.sha ?? request.sha;
  const queued = await deps.service.request({
    ...request,
    ...(sha ? { sha } : {}),
    trigger: 'manual',
    rerun: true,
  });
  deps.logger.info(
    { buildId: record.id, repo: request.repo, rerunId: queued.id },
    'build rerun from the web',
  );
  sendJson(res, 201, queued);
}

/** A browser always sends Origin on POST; when present it must name this host. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function signIn(deps: ActionsDeps, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const form = new URLSearchParams((await readBody(req, 8192)) ?? '');
  const next = localPath(form.get('next'));
  const token = form.get('token') ?? '';
  if (!deps.auth || !sameOrigin(req) || !deps.auth.checkToken(token)) {
    deps.logger.warn({ remote: req.socket.remoteAddress }, 'web sign-in refused');
    redirect(res, `/signin?failed=1&next=${encodeURIComponent(next)}`);
    return true;
  }
  redirect(res, next, { 'set-cookie': deps.auth.cookie(deps.auth.issue()) });
  return true;
}

async function signOut(deps: ActionsDeps, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const form = new URLSearchParams((await readBody(req, 8192)) ?? '');
  const headers: Record<string, string> = deps.auth ? { 'set-cookie': deps.auth.cookie('') } : {};
  redirect(res, localPath(form.get('next')), headers);
  return true;
}
