import { GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError, Gitlab } from '@gitbeaker/rest';
import { ForgeError } from '../../errors.ts';
import { CancelledError } from '../../stop-reasons.ts';

/** The gitbeaker client Berth talks to GitLab with. */
export type GitlabApi = InstanceType<typeof Gitlab<false>>;

/** How to reach one GitLab (gitlab.com or self-managed, any path prefix). */
export interface GitlabApiOptions {
  url: string;
  token: string;
  /** Per-request time limit, ms (default 30 s). */
  timeoutMs?: number;
}

/** A gitbeaker client for `GITLAB_URL` with `GITLAB_TOKEN`. */
export function createGitlabApi(options: GitlabApiOptions): GitlabApi {
  return new Gitlab({
    host: options.url.replace(/\/+$/, ''),
    token: options.token,
    queryTimeout: options.timeoutMs ?? 30_000,
  });
}

/** The HTTP status of a failed gitbeaker call, when it got an answer. */
export function httpStatusOf(error: unknown): number | null {
  if (error instanceof GitbeakerRequestError) {
    const response = (error.cause as { response?: { status?: number } } | undefined)?.response;
    return response?.status ?? null;
  }
  if (error instanceof GitbeakerRetryError) return /status code: 429/.test(error.message) ? 429 : 502;
  return null;
}

/** GitLab's own words for a failed call (`message` / `error` of the answer). */
export function gitlabMessageOf(error: unknown): string {
  if (error instanceof GitbeakerRequestError) {
    const description = (error.cause as { description?: unknown } | undefined)?.description;
    if (typeof description === 'string' && description) return description;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one API call, giving up when `signal` aborts (the request itself ends at the
 * client's timeout), and turns failures into ForgeError with the HTTP status.
 */
export async function callGitlab<T>(what: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw new CancelledError('GitLab request cancelled');
  try {
    return await raceAbort(run(), signal);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    if (error instanceof GitbeakerTimeoutError)
      throw new ForgeError(`GitLab ${what}: timed out`, null, error);
    const status = httpStatusOf(error);
    throw new ForgeError(`GitLab ${what}: ${status ?? 'no answer'} ${gitlabMessageOf(error)}`, status, error);
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError('GitLab request cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
