export { createMetricsHandler } from './handler.ts';
export { createMetrics, type Metrics } from './metrics.ts';
