// Small response helpers shared by the pages and actions handlers.
import type { ServerResponse } from 'node:http';

/** Content-Security-Policy for every page: everything from Berth itself, nothing inline. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** Headers every HTML page carries. */
export function pageHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

/** Sends an HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, pageHeaders());
  res.end(html);
}

/** Sends a 303 redirect to a local path. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

/** A local path safe to redirect to (no scheme, no `//host`), else `/`. */
export function localPath(candidate: string | null | undefined): string {
  return candidate && /^\/(?![/\\])/.test(candidate) ? candidate : '/';
}
