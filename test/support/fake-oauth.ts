// The authorization-code grant as GitHub and GitLab serve it, for the fakes of both:
// an authorize page that signs in `signInAs` at once and redirects back with a code,
// and a token endpoint that checks client credentials, redirect_uri, one use per
// code and PKCE (S256). Access tokens name their user.
import { createHash, randomBytes } from 'node:crypto';

/** A person who can sign in; `token` is set once they have. */
export interface OAuthUser {
  id: number;
  login: string;
  name: string;
}

interface Grant {
  login: string;
  redirectUri: string;
  challenge: string | null;
}

/** What an OAuth route answers: a redirect or JSON. */
export type OAuthReply = { status: number; location?: string; json?: unknown };

export class FakeOAuth {
  readonly users = new Map<string, OAuthUser>();
  /** token → login. */
  readonly tokens = new Map<string, string>();
  /** Who the authorize page signs in (a person already signed in to the forge). */
  signInAs: string | null = null;
  /** What the token endpoint refused and why (tests assert on it). */
  readonly refusals: string[] = [];
  /** Every token endpoint request's form, to check Berth's PKCE and credentials. */
  readonly tokenRequests: URLSearchParams[] = [];
  private readonly grants = new Map<string, Grant>();

  readonly clientId: string;
  readonly clientSecret: string;

  constructor(clientId: string, clientSecret: string) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  addUser(login: string, id: number, name = login): OAuthUser {
    const user = { id, login, name };
    this.users.set(login, user);
    this.signInAs ??= login;
    return user;
  }

  /** The user a bearer/token header value belongs to, or null. */
  userOf(token: string | undefined): OAuthUser | null {
    const login = token ? this.tokens.get(token) : undefined;
    return (login && this.users.get(login)) || null;
  }

  /** Revokes every token of `login` (the forge then answers 401). */
  revoke(login: string): void {
    for (const [token, owner] of this.tokens) if (owner === login) this.tokens.delete(token);
  }

  /** `GET …/authorize?client_id&redirect_uri&state&code_challenge…`. */
  authorize(query: URLSearchParams): OAuthReply {
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== this.clientId || !redirectUri || query.get('response_type') !== 'code')
      return { status: 400, json: { error: 'invalid_request' } };
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (!this.signInAs) {
      back.searchParams.set('error', 'access_denied');
      return { status: 302, location: back.href };
    }
    const method = query.get('code_challenge_method');
    if (query.get('code_challenge') && method !== 'S256')
      return { status: 400, json: { error: 'invalid_request' } };
    const code = randomBytes(10).toString('hex');
    this.grants.set(code, { login: this.signInAs, redirectUri, challenge: query.get('code_challenge') });
    back.searchParams.set('code', code);
    return { status: 302, location: back.href };
  }

  /** `POST …/token` (form-encoded), as both forges answer with `Accept: application/json`. */
  token(form: URLSearchParams): OAuthReply {
    this.tokenRequests.push(form);
    const refuse = (why: string, error = 'invalid_grant') => {
      this.refusals.push(why);
      return { status: 400, json: { error, error_description: why } };
    };
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret)
      return refuse('client credentials', 'invalid_client');
    if (form.get('grant_type') !== 'authorization_code')
      return refuse('grant_type', 'unsupported_grant_type');
    const code = form.get('code') ?? '';
    const grant = this.grants.get(code);
    this.grants.delete(code);
    if (!grant) return refuse('unknown or used code');
    if (form.get('redirect_uri') !== grant.redirectUri) return refuse('redirect_uri differs');
    if (grant.challenge !== null) {
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
        return refuse('PKCE verifier');
    }
    const token = `user-${grant.login}-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, grant.login);
    return { status: 200, json: { access_token: token, token_type: 'bearer', scope: '' } };
  }
}
