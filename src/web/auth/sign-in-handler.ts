import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WebAccess } from '../access/access.ts';
import { TokenRejectedError } from '../access/types.ts';
import { localPath, redirect } from '../pages/respond.ts';
import { readBody, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';
import { OAUTH_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.ts';
import { type OAuthFlow, PENDING_MS, SignInError } from './oauth.ts';
import { sameOrigin } from './same-origin.ts';
import type { SessionUser, SignInForge } from './sessions.ts';

/** What the sign-in routes need. */
export interface SignInDeps {
  access: WebAccess;
  flow: OAuthFlow;
  /** BERTH_PUBLIC_URL: base of the OAuth callback; else the request's Host over http. */
  publicUrl: string | null;
  logger: Logger;
}

const ROUTE = /^\/auth\/(github|gitlab)\/(login|callback)$/;

/**
 * `GET /auth/{github,gitlab}/login` (to the forge's authorize page), `GET
 * /auth/{github,gitlab}/callback` (back from it), `POST /session` (the admin token) and
 * `POST /session/end` (sign out: the session is deleted, with the forge token).
 */
export function createSignInHandler(deps: SignInDeps): HttpHandler {
  const secure = deps.publicUrl?.startsWith('https:') ?? false;
  return async (req, res) => {
    const url = urlOf(req);
    if (req.method === 'POST' && url.pathname === '/session') return adminSignIn(deps, secure, req, res);
    if (req.method === 'POST' && url.pathname === '/session/end') return signOut(deps, secure, req, res);
    const match = ROUTE.exec(url.pathname);
    if (!match || req.method !== 'GET') return false;
    const forgeName = match[1] as SignInForge;
    const forge = deps.access.forges[forgeName];
    const next = localPath(url.searchParams.get('next'));
    if (!forge) {
      redirect(res, `/signin?failed=off&next=${encodeURIComponent(next)}`);
      return true;
    }
    const redirectUri = `${deps.publicUrl?.replace(/\/+$/, '') ?? `http://${req.headers.host}`}/auth/${forgeName}/callback`;
    const oauthCookie = (value: string) =>
      setCookie(OAUTH_COOKIE, value, { maxAgeMs: PENDING_MS, secure, path: `/auth/${forgeName}/` });
    if (match[2] === 'login') {
      const begun = await deps.flow.begin(forgeName, forge.oauth, redirectUri, next);
      redirect(res, begun.url, { 'set-cookie': oauthCookie(begun.state) }, 302);
      return true;
    }
    const full = new URL(`${url.pathname}${url.search}`, redirectUri);
    const signal = AbortSignal.timeout(20_000);
    try {
      const done = await deps.flow.finish(
        forgeName,
        forge.oauth,
        full,
        readCookie(req, OAUTH_COOKIE),
        redirectUri,
        signal,
      );
      const user = await forge.me(done.token, signal);
      const session: SessionUser = { kind: 'forge', forge: forgeName, ...user };
      const cookie = await deps.access.sessions.create(session, done.token);
      deps.logger.info({ forge: forgeName, user: user.login }, 'signed in with the forge');
      const cookies = [
        setCookie(SESSION_COOKIE, cookie, { maxAgeMs: deps.access.sessions.ttlMs, secure }),
        oauthCookie(''),
      ];
      redirect(res, localPath(done.next), { 'set-cookie': cookies });
    } catch (error) {
      // Never the error object or the URL: they may hold the code or the user's token.
      const why =
        error instanceof SignInError || error instanceof TokenRejectedError
          ? error.message
          : 'forge unreachable';
      deps.logger.warn({ forge: forgeName, why }, 'forge sign-in refused');
      redirect(res, `/signin?failed=${forgeName}`, { 'set-cookie': oauthCookie('') });
    }
    return true;
  };
}

async function adminSignIn(
  deps: SignInDeps,
  secure: boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<true> {
  const form = new URLSearchParams((await readBody(req, 8192)) ?? '');
  const next = localPath(form.get('next'));
  const token = form.get('token') ?? '';
  if (!sameOrigin(req) || !deps.access.isAdminToken(token)) {
    deps.logger.warn({ remote: req.socket.remoteAddress }, 'web sign-in refused');
    redirect(res, `/signin?failed=token&next=${encodeURIComponent(next)}`);
    return true;
  }
  const cookie = await deps.access.sessions.create({ kind: 'admin' }, null);
  redirect(res, next, {
    'set-cookie': setCookie(SESSION_COOKIE, cookie, { maxAgeMs: deps.access.sessions.ttlMs, secure }),
  });
  return true;
}

async function signOut(
  deps: SignInDeps,
  secure: boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<true> {
  const form = new URLSearchParams((await readBody(req, 8192)) ?? '');
  const cookie = readCookie(req, SESSION_COOKIE);
  if (cookie && sameOrigin(req)) await deps.access.sessions.end(cookie);
  redirect(res, localPath(form.get('next')), {
    'set-cookie': setCookie(SESSION_COOKIE, '', { maxAgeMs: 0, secure }),
  });
  return true;
}
