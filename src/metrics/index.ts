export { createMetricsHandler } from './handler.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { meterWebhooks, outcomeOf, type WebhookMeterOptions } from './webhooks.ts';
