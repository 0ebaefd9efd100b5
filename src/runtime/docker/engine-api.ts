/** HTTP status of a failed engine call (dockerode sets `statusCode`), or null (no answer). */
export function statusOf(error: unknown): number | null {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : null;
}

/** The engine's own message of a failed call (its JSON `message`), else the error's first line. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  const message = (json as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  const own = (error as { message?: unknown } | null)?.message;
  const text = typeof own === 'string' ? own : String(error);
  return (text.split('\n')[0] ?? text).replace(/^\(HTTP code \d+\) [a-z ]+ - /, '');
}
