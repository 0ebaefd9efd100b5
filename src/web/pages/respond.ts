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

/** Sends a redirect (303 unless told): to a local path, or to a forge's sign-in page. */
export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string | string[]> = {},
  status = 303,
): void {
  res.writeHead(status, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

const BASE = 'http://berth.invalid';

/**
 * A same-origin path safe to redirect to, else `/`. Normalised the way a browser reads
 * a Location: tabs and newlines dropped, `\` as `/`, dot segments resolved; anything
 * that would leave this origin (`//host`, `/\host`, a scheme) is refused.
 */
export function localPath(candidate: string | null | undefined): string {
  const cleaned = (candidate ?? '').replace(/[\t\n\r]/g, '');
  if (!/^\/(?![/\\])/.test(cleaned)) return '/';
  let url: URL;
  try {
    url = new URL(cleaned, BASE);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === BASE && !/^\/[/\\]/.test(path) ? path : '/';
}
