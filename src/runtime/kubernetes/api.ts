import { type ConfigurationOptions, Observable, type RequestContext } from '@kubernetes/client-node';

/** Request options that make a generated API call abortable through `signal`. */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** HTTP status of a failed Kubernetes call (ApiException `code`, watch `statusCode`), or null. */
export function httpStatusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const record = error as { code?: unknown; statusCode?: unknown };
  if (typeof record.code === 'number') return record.code;
  if (typeof record.statusCode === 'number') return record.statusCode;
  return null;
}

export { backoffMs, sleep } from '../retry.ts';

/** The verbs of the HTTP requests the runtime makes to the API server. */
export type ApiVerb = 'create' | 'get' | 'list' | 'watch' | 'delete' | 'exec' | 'log' | 'patch';

/** Called once per HTTP request to the API server, just before it is sent. */
export type ApiRequestCounter = (verb: ApiVerb) => void;

/** A counter that never throws into the runtime (a metrics callback must not break a step). */
export function safeCounter(onApiRequest: ApiRequestCounter | undefined): ApiRequestCounter {
  if (!onApiRequest) return () => {};
  return (verb) => {
    try {
      onApiRequest(verb);
    } catch {
      // Counting is best effort.
    }
  };
}
