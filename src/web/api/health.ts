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
        results[name] = await withTimeout(check(), 1000);
      }),
    );
    const ok = Object.values(results).every(Boolean);
    sendJson(res, ok ? 200 : 503, { ok, checks: results });
    return true;
  };
}

async function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
