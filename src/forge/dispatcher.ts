/** When an event was accepted (stored), as ISO 8601: what the policy decides is as of then. */
export interface Accepted {
  at: string;
}

/** Handles one accepted webhook event; `data` is the plain JSON the ingress submitted. */
export type EventHandler = (data: unknown, accepted: Accepted) => Promise<void>;

/**
 * Runs webhook work off the request path: the ingress submits the event as data
 * and answers the forge; the handler registered for its kind (the forge-neutral
 * policy) runs it afterwards. The app's implementation is durable (a BullMQ queue,
 * src/forge/durable-dispatcher.ts); tests may use test/support/memory-dispatcher.ts.
 */
export interface EventDispatcher {
  /** The handler for events of `kind` (one per kind; register before events of that kind arrive). */
  register(kind: string, handler: EventHandler): void;
  /**
   * Accepts one event, `id` being its delivery id (the same delivery submitted again
   * is handled once). False when it could not be accepted: answer 503 so the forge may redeliver.
   */
  submit(kind: string, id: string, data: unknown): Promise<boolean>;
  /** Resolves when everything accepted so far has been handled, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops handling, waiting at most about `timeoutMs` for handlers still running. */
  close(timeoutMs: number): Promise<void>;
}
