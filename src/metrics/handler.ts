import type { HttpHandler } from '../web/types.ts';
import type { Metrics } from './metrics.ts';

/** `GET /metrics`: the registry in Prometheus text format. */
export function createMetricsHandler(metrics: Metrics): HttpHandler {
  return async (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return false;
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
    return true;
  };
}
