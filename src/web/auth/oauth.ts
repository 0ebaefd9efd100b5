import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { RedisClient } from '../../redis/connect.ts';
import { type RedisKeys, redisKeys } from '../../redis-keys.ts';
import type { OAuthEndpoints } from '../access/types.ts';
import type { SignInForge } from './sessions.ts';

/** A sign-in in progress: what the callback needs, kept in Redis for 10 minutes, used once. */
interface Pending {
  forge: SignInForge;
  verifier: string;
  next: string;
}

/** How long a person has between leaving for the forge and coming back. */
export const PENDING_MS = 10 * 60_000;

/** The authorization-code flow with `state` and PKCE (S256), over oauth4webapi. */
export interface OAuthFlow {
  /** The forge's authorize URL for a new sign-in, and the state to bind to the browser. */
  begin(
    forge: SignInForge,
    endpoints: OAuthEndpoints,
    redirectUri: string,
    next: string,
  ): Promise<{ url: string; state: string }>;
  /**
   * Checks the callback against the browser's state, trades the code for the user's
   * token, and returns it with where to go next. Throws on any mismatch or refusal.
   */
  finish(
    forge: SignInForge,
    endpoints: OAuthEndpoints,
    callback: URL,
    browserState: string | undefined,
    redirectUri: string,
    signal: AbortSignal,
  ): Promise<{ token: string; next: string }>;
}

/** A refused sign-in: the message is safe to show (never holds a code or token). */
export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

export function createOAuthFlow(o: { redis: RedisClient; keys?: RedisKeys }): OAuthFlow {
  const keys = o.keys ?? redisKeys();
  const keyOf = (state: string) => keys.oauth(createHash('sha256').update(state).digest('base64url'));
  const server = (e: OAuthEndpoints): oauth.AuthorizationServer => ({
    issuer: e.issuer,
    authorization_endpoint: e.authorizeUrl,
    token_endpoint: e.tokenUrl,
  });
  return {
    async begin(forge, endpoints, redirectUri, next) {
      const state = oauth.generateRandomState();
      const verifier = oauth.generateRandomCodeVerifier();
      const pending: Pending = { forge, verifier, next };
      await o.redis.set(keyOf(state), JSON.stringify(pending), 'PX', PENDING_MS);
      const url = new URL(endpoints.authorizeUrl);
      url.searchParams.set('client_id', endpoints.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
      if (endpoints.scope) url.searchParams.set('scope', endpoints.scope);
      return { url: url.href, state };
    },
    async finish(forge, endpoints, callback, browserState, redirectUri, signal) {
      if (!browserState)
        throw new SignInError('this sign-in was not started in this browser, or took longer than 10 minutes');
      const as = server(endpoints);
      const client: oauth.Client = { client_id: endpoints.clientId };
      let params: URLSearchParams;
      try {
        params = oauth.validateAuthResponse(as, client, callback, browserState);
      } catch (error) {
        if (error instanceof oauth.AuthorizationResponseError)
          throw new SignInError(`the forge refused: ${error.error}`);
        throw new SignInError('the answer from the forge does not match this sign-in (state)');
      }
      const text = await o.redis.getdel(keyOf(browserState));
      const pending = text ? (JSON.parse(text) as Pending) : null;
      if (!pending || pending.forge !== forge)
        throw new SignInError('this sign-in expired or was already used');
      try {
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.ClientSecretPost(endpoints.clientSecret),
          params,
          redirectUri,
          pending.verifier,
          { signal, [oauth.allowInsecureRequests]: endpoints.tokenUrl.startsWith('http:') },
        );
        const result = await oauth.processAuthorizationCodeResponse(as, client, response);
        return { token: result.access_token, next: pending.next };
      } catch (error) {
        const code = error instanceof oauth.ResponseBodyError ? `: ${error.error}` : '';
        throw new SignInError(`the forge did not give a token for this sign-in${code}`);
      }
    },
  };
}
