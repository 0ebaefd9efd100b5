import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { BuildRecord } from '../../builds/types.ts';
import type { Viewer, WebAccess } from '../access/access.ts';
import { sameOrigin } from '../auth/same-origin.ts';
import { readBody, sendJson, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';

/** What the cancel/rerun handler needs. */
export interface ActionsDeps {
  service: BuildService;
  access: WebAccess;
  logger: Logger;
}

const ACTION = /^\/api\/builds\/([^/]+)\/(cancel|rerun)$/;

/**
 * `POST /api/builds/:id/cancel` and `POST /api/builds/:id/rerun`: the admin (bearer
 * token or its session) or a signed-in user with write access to the build's
 * repository, checked with the forge on every request; same-origin only.
 */
export function createActionsHandler(deps: ActionsDeps): HttpHandler {
  return async (req, res) => {
    if (req.method !== 'POST') return false;
    const match = ACTION.exec(urlOf(req).pathname);
    if (!match) return false;
    const viewer = await deps.access.viewer(req);
    if (viewer.kind === 'anonymous') {
      sendJson(
        res,
        401,
        { error: 'sign in, or send the admin bearer token' },
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
    const target = record && { forge: record.request.forge, repo: record.request.repo };
    if (!record || !target || !(await deps.access.canRead(viewer, target))) {
      sendJson(res, 404, { error: `no build ${id}` });
      return true;
    }
    if (!(await deps.access.canWrite(viewer, target))) {
      sendJson(res, 403, { error: `${match[2]} needs write access to ${record.request.repo}` });
      return true;
    }
    if (match[2] === 'cancel') await cancel(deps, record, res);
    else {
      const mode = await rerunMode(req);
      if (mode === null) sendJson(res, 400, { error: 'body: must be empty or {"rerun": "all" | "failed"}' });
      else await rerun(deps, record, viewer, res, mode);
    }
    return true;
  };
}

/** `{"rerun": "all"}` or `{"rerun": "failed"}` (the default, also for an empty body); null when neither. */
async function rerunMode(req: IncomingMessage): Promise<'all' | 'failed' | null> {
  const text = (await readBody(req, 4096))?.trim();
  if (text === undefined) return null;
  if (text === '') return 'failed';
  try {
    const mode = (JSON.parse(text) as { rerun?: unknown } | null)?.rerun ?? 'failed';
    return mode === 'all' || mode === 'failed' ? mode : null;
  } catch {
    return null;
  }
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
  deps.logger.info({ buildId: record.id, cancelled }, 'build cancelled from the web');
  sendJson(res, 202, { cancelled });
}

async function rerun(
  deps: ActionsDeps,
  record: BuildRecord,
  viewer: Viewer,
  res: ServerResponse,
  mode: 'all' | 'failed',
): Promise<void> {
  if (record.request.secretInputs?.length) {
    const names = record.request.secretInputs.join(', ');
    sendJson(res, 409, {
      error: `Berth does not keep password inputs (${names}): start the build again from the start form`,
    });
    return;
  }
  const { deliveryId: _delivery, reuseFrom: _earlier, ...request } = record.request;
  const sha = record.sha ?? request.sha;
  // `{"rerun": "all"}` runs every step; by default a failed build's successful steps are reused.
  const failedOnly = mode !== 'all' && record.status !== 'success';
  const queued = await deps.service.request({
    ...request,
    ...(sha ? { sha } : {}),
    ...(viewer.kind === 'user' ? { actor: viewer.login } : {}),
    trigger: 'manual',
    rerun: true,
    ...(failedOnly ? { reuseFrom: record.id } : {}),
  });
  deps.logger.info({ buildId: record.id, rerunId: queued.id }, 'build rerun from the web');
  sendJson(res, 201, queued);
}
