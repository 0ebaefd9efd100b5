import { valueWithin } from '../../within.ts';
import { sendJson, urlOf } from '../respond.ts';
import type { HttpHandler } from '../types.ts';

/** A readiness check: name → whether it passes. */
export type ReadinessChecks = Record<string, () => Promise<boolean>>;

/** `GET /healthz` (process up) and `GET /readyz` (every check passes within a second). */
export function createHealthHandler(checks: ReadinessChecks): HttpHandler {
  return async (req, res) => {
    if (req.method !== 'GET') return false;
    const path = urlOf(req).pathname;
    if (path === '/healthz') {
      sendJson(res, 200, { ok: true });
      return true;
    }
    if (path !== '/readyz') return false;
    const results: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        results[name] = await valueWithin(
          check().catch(() => false),
          1000,
          false,
        );
      }),
    );
    const ok = Object.values(results).every(Boolean);
    sendJson(res, ok ? 200 : 503, { ok, checks: results });
    return true;
  };
}
