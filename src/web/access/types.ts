import type { Permission } from '../../forge/types.ts';
import type { SignInForge } from '../auth/sessions.ts';

/** A forge user as sign-in records them. */
export interface ForgeUser {
  id: string;
  login: string;
  name: string | null;
}

/** What a start form offers for one ref of a repository. */
export interface RepoRefs {
  branches: string[];
  tags: string[];
  defaultBranch: string | null;
}

/** Where a forge's OAuth 2 endpoints are and the app's credentials. */
export interface OAuthEndpoints {
  /** Issuer (the forge's web address). */
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for (GitHub Apps take none: their permissions are the App's). */
  scope: string | null;
}

/**
 * A forge seen with a signed-in user's own token: who they are, what they may do on a
 * repository, and what the start form needs. A 401 from the forge throws
 * TokenRejectedError (the session is then over).
 */
export interface UserForge {
  name: SignInForge;
  oauth: OAuthEndpoints;
  me(token: string, signal: AbortSignal): Promise<ForgeUser>;
  /** `none` when the repository does not exist or is hidden from the user. */
  permission(token: string, repo: string, signal: AbortSignal): Promise<Permission>;
  refs(token: string, repo: string, signal: AbortSignal): Promise<RepoRefs>;
  /** A file's text at `ref`, or null when absent. */
  file(token: string, repo: string, ref: string, path: string, signal: AbortSignal): Promise<string | null>;
}

/** The forge refused the user's token (revoked or expired): sign in again. */
export class TokenRejectedError extends Error {
  constructor(forge: SignInForge) {
    super(`${forge} refused the signed-in user's token`);
    this.name = 'TokenRejectedError';
  }
}
