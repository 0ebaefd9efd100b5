/** Waits `ms`, ending early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with jitter for retry `attempt` (0-based). */
export const backoffMs = (attempt: number, baseMs = 100, maxMs = 5000): number =>
  Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
