import type { ServerResponse } from 'node:http';
import type { HttpHandler } from '../web/types.ts';
import type { Metrics } from './metrics.ts';

/** How one forge's webhook endpoint is metered. */
export interface WebhookMeterOptions {
  /** `github`, `gitlab`. */
  forge: string;
  /** The header naming the event (`x-github-event`, `x-gitlab-event`). */
  eventHeader: string;
  /** Outcomes for statuses this forge uses its own way (GitLab answers 200 to hooks it ignores). */
  outcomes?: Readonly<Record<number, string>>;
  /** Distinct event labels kept before new ones count as `other` (default 40). */
  maxEvents?: number;
}

const EVENT_NAME = /^[A-Za-z0-9_ .-]{1,64}$/;

/**
 * Counts each POST a webhook handler answered in `berth_webhook_deliveries_total`,
 * by forge, event and outcome (from the answer's status: accepted, rejected, invalid,
 * busy, failed). The event header is sent by anyone, signed or not, so its label is
 * capped: after `maxEvents` distinct names, new ones are `other`.
 */
export function meterWebhooks(
  handler: HttpHandler,
  metrics: Pick<Metrics, 'webhookDelivery'>,
  options: WebhookMeterOptions,
): HttpHandler {
  const events = new Set<string>();
  const maxEvents = options.maxEvents ?? 40;
  const eventLabel = (value: string | string[] | undefined): string => {
    if (value === undefined) return 'none';
    if (typeof value !== 'string' || !EVENT_NAME.test(value)) return 'other';
    if (!events.has(value) && events.size >= maxEvents) return 'other';
    events.add(value);
    return value;
  };
  return async (req, res) => {
    if (req.method !== 'POST') return handler(req, res);
    const event = eventLabel(req.headers[options.eventHeader]);
    const count = (outcome: string) => metrics.webhookDelivery(options.forge, event, outcome);
    let answered: boolean;
    try {
      answered = await handler(req, res);
    } catch (error) {
      count('failed');
      throw error;
    }
    if (answered) whenAnswered(res, () => count(webhookOutcomeOf(res.statusCode, options.outcomes)));
    return answered;
  };
}

/** The delivery's outcome from the status the endpoint answered. */
export function webhookOutcomeOf(status: number, overrides: Readonly<Record<number, string>> = {}): string {
  const own = overrides[status];
  if (own !== undefined) return own;
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 401 || status === 403) return 'rejected';
  if (status === 429 || status === 503) return 'busy';
  if (status >= 400 && status < 500) return 'invalid';
  return 'failed';
}

function whenAnswered(res: ServerResponse, then: () => void): void {
  if (res.writableEnded) then();
  else res.once('close', then);
}
