import type { ReasonClass } from './vocab/index.ts';

/**
 * Base of Berth's typed errors. `retryable` says whether doing the same thing
 * again later may succeed; `reason` is the class a build reports when this ends it.
 * The worker's `outcomeOf` turns them into build outcomes; stop reasons (cancel,
 * timeouts, takeover, hand-back) are the StopError classes of src/stop-reasons.ts.
 */
export class BerthError extends Error {
  readonly retryable: boolean;
  readonly reason: ReasonClass;
  constructor(message: string, options: { retryable: boolean; reason: ReasonClass; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
    this.reason = options.reason;
  }
}

/** The user's configuration or input is wrong: retrying cannot help. */
export class ConfigError extends BerthError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, reason: 'config', cause });
  }
}

/** A dependency (Redis, Kubernetes, a forge) failed in a way that may pass. */
export class TransientError extends BerthError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, reason: 'infrastructure', cause });
  }
}

/** A forge API call failed. 5xx / 429 are retryable, other 4xx are not. */
export class ForgeError extends BerthError {
  readonly status: number | null;
  constructor(message: string, status: number | null, cause?: unknown) {
    const retryable = status === null || status >= 500 || status === 429;
    super(message, { retryable, reason: 'infrastructure', cause });
    this.status = status;
  }
}

export const isRetryable = (error: unknown): boolean => error instanceof BerthError && error.retryable;
