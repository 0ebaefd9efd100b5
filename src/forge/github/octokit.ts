import type { ProbotOctokit } from 'probot';
import { ForgeError } from '../../errors.ts';

/** An installation-authenticated Octokit (Probot's, with retry and throttling plugins). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** `owner` and `repo` of `owner/name`. */
export function ownerRepo(fullName: string): { owner: string; repo: string } {
  const slash = fullName.indexOf('/');
  return { owner: fullName.slice(0, slash), repo: fullName.slice(slash + 1) };
}

/** HTTP status of an Octokit RequestError, or null. */
export const httpStatusOf = (error: unknown): number | null => {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : null;
};

/** Runs an API call, turning its failure into a ForgeError naming the request (4xx: not retryable). */
export async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const status = httpStatusOf(error);
    const request = (error as { request?: { method?: string; url?: string } }).request;
    const where = request ? ` (${request.method} ${request.url})` : '';
    throw new ForgeError(`GitHub ${what} failed: ${status ?? 'no response'}${where}`, status, error);
  }
}

/** Same as `call`, but a 404 becomes null. */
export async function callOrNull<T>(what: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await call(what, run);
  } catch (error) {
    if (error instanceof ForgeError && error.status === 404) return null;
    throw error;
  }
}
