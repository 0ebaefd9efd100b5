export { createMetricsHandler } from './handler.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { meterWebhooks, type WebhookMeterOptions, webhookOutcomeOf } from './webhooks.ts';
