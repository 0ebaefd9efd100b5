import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Viewer, WebAccess } from '../access/access.ts';
import { sendJson, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';
import { readStartOptions } from './options.ts';

const SOURCE = /^(github|gitlab):([\w.-]+(?:\/[\w.-]+)+)$/;

/**
 * `GET /api/start-options?source=github:OWNER/REPO[&ref=…]`: what the start form offers
 * (branches, tags, the pipeline's environments and inputs at the ref), for a signed-in
 * user with write access, read with their own token.
 */
export function createStartOptionsHandler(deps: { access: WebAccess; logger: Logger }): HttpHandler {
  return async (req, res) => {
    const url = urlOf(req);
    if (req.method !== 'GET' || url.pathname !== '/api/start-options') return false;
    const viewer = await deps.access.viewer(req);
    const refused = await refusal(deps.access, viewer, url.searchParams.get('source') ?? '');
    if (refused) {
      sendJson(res, refused.status, { error: refused.error });
      return true;
    }
    const { forge, repo, token } = target(deps.access, viewer, url);
    const ref = url.searchParams.get('ref')?.trim() || null;
    if (ref !== null && ref.length > 255) return bad(res, 'ref: at most 255 characters');
    const options = await readStartOptions(forge, token, repo, ref, AbortSignal.timeout(20_000)).catch(
      (error: unknown) => {
        // Not the error itself: a client library's error may carry the user's token.
        deps.logger.warn(
          { forge: forge.name, why: errorName(error) },
          'start options: the forge did not answer',
        );
        return null;
      },
    );
    if (options) sendJson(res, 200, options);
    else sendJson(res, 502, { error: `${forge.name} did not answer; try again` });
    return true;
  };
}

function bad(res: ServerResponse, error: string): true {
  sendJson(res, 400, { error });
  return true;
}

/** Why the viewer may not use the start form for `source`, or null. */
async function refusal(
  access: WebAccess,
  viewer: Viewer,
  source: string,
): Promise<{ status: number; error: string } | null> {
  if (viewer.kind === 'anonymous')
    return { status: 401, error: 'sign in with GitHub or GitLab to start builds' };
  if (viewer.kind === 'admin')
    return {
      status: 400,
      error:
        'the start form uses your forge identity: sign in with GitHub or GitLab (the admin token starts builds with POST /api/builds)',
    };
  const match = SOURCE.exec(source);
  if (!match) return { status: 400, error: 'source: must be github:OWNER/REPO or gitlab:GROUP/PROJECT' };
  const t = { forge: match[1] as 'github' | 'gitlab', repo: match[2] ?? '' };
  if (t.forge !== viewer.forge)
    return {
      status: 400,
      error: `you are signed in with ${viewer.forge}; sign in with ${t.forge} to start this build`,
    };
  if (!(await access.canRead(viewer, t)))
    return { status: 404, error: `no repository ${t.repo} you can read` };
  if (!(await access.canWrite(viewer, t)))
    return { status: 403, error: `starting a build needs write access to ${t.repo}` };
  return null;
}

function target(access: WebAccess, viewer: Viewer, url: URL) {
  const match = SOURCE.exec(url.searchParams.get('source') ?? '');
  const forge = viewer.kind === 'user' ? access.forges[viewer.forge] : undefined;
  const token = viewer.kind === 'user' ? viewer.session.token : null;
  if (!match || !forge || !token) throw new Error('start options without a signed-in forge user');
  return { forge, repo: match[2] ?? '', token };
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'unknown');
