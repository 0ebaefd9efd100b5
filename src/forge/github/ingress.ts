import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { sendJson } from '../../web/respond.ts';
import type { HttpHandler } from '../../web/types.ts';
import type { Accepted, EventDispatcher } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { type BodyBudget, readBody, refuse } from '../webhook-body.ts';
import { mapDelivery } from './events.ts';
import { isHandledEvent, parsePayload } from './payloads.ts';

/** Where GitHub posts deliveries (Probot's default path, kept for existing App settings). */
export const GITHUB_WEBHOOK_PATH = '/api/github/webhooks';

/** What the GitHub webhook handler needs. */
export interface GithubIngressOptions {
  /** `WEBHOOK_SECRET`: deliveries carry `X-Hub-Signature-256: sha256=HMAC(secret, body)`. */
  secret: string;
  /** The App's id (its own check runs and comments are told apart by it). */
  appId: number;
  /** Acts on one event (the forge-neutral policy); runs after GitHub got its answer. */
  onEvent(event: ForgeEvent, accepted: Accepted): Promise<void>;
  /** Stores accepted events and runs the handling off the request path (shared with the other forges). */
  dispatcher: EventDispatcher;
  /** Bytes of webhook bodies the process may hold at once (shared with the other forges). */
  bodies: BodyBudget;
  logger: Logger;
}

const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * `POST /api/github/webhooks`: refuses a delivery without the GitHub headers or a
 * well-formed `X-Hub-Signature-256` before reading its body, reads the body under the
 * process's budget while computing the HMAC over the raw bytes, compares in constant
 * time (401), then parses and validates the payload, maps it to a neutral event and
 * hands that to the dispatcher (200 once stored, 503 when it could not be). Events
 * Berth does not act on get 200 and are dropped. Registers the `github` handler.
 */
export function createGithubIngress(options: GithubIngressOptions): HttpHandler {
  options.dispatcher.register('github', (data, accepted) => options.onEvent(data as ForgeEvent, accepted));
  return async (req, res) => {
    if (!atPath(req.url)) return false;
    if (req.method !== 'POST') return refuse(res, 405, 'use POST', { allow: 'POST' });
    const contentType = req.headers['content-type'];
    if (!contentType || !JSON_TYPE.test(contentType)) {
      return refuse(res, 415, 'the App must send application/json (the webhook content type)');
    }
    const name = header(req, 'x-github-event');
    const deliveryId = header(req, 'x-github-delivery');
    if (!name || !deliveryId) return refuse(res, 400, 'X-GitHub-Event and X-GitHub-Delivery are required');
    const signature = req.headers['x-hub-signature-256'];
    if (signature === undefined) {
      return refuse(
        res,
        401,
        'X-Hub-Signature-256 is missing: set the App’s webhook secret to WEBHOOK_SECRET',
      );
    }
    const given = typeof signature === 'string' ? SIGNATURE.exec(signature)?.[1] : undefined;
    if (!given) return refuse(res, 400, 'X-Hub-Signature-256 is not sha256=<64 hex digits>');
    const hmac = createHmac('sha256', options.secret);
    const read = await readBody(req, { budget: options.bodies, onChunk: (chunk) => hmac.update(chunk) });
    if (!('body' in read)) return refuse(res, read.status, read.error, read.headers);
    let decided: Decision;
    try {
      decided = decide(read.body, { name, deliveryId, digest: hmac.digest(), given, appId: options.appId });
    } finally {
      read.release();
    }
    if (!('event' in decided)) return answer(res, decided.status, decided.body);
    if (!(await options.dispatcher.submit('github', deliveryId, decided.event))) {
      return answer(
        res,
        503,
        { error: 'the delivery could not be stored; redeliver later' },
        { 'retry-after': '30' },
      );
    }
    return answer(res, 200, { accepted: deliveryId });
  };
}

type Decision = { event: ForgeEvent } | { status: number; body: object };

/** What a fully read delivery gets: its neutral event, or the answer that ends it here. */
function decide(
  body: Buffer,
  d: { name: string; deliveryId: string; digest: Buffer; given: string; appId: number },
): Decision {
  if (!timingSafeEqual(d.digest, Buffer.from(d.given, 'hex'))) {
    return { status: 401, body: { error: 'signature does not match the payload and WEBHOOK_SECRET' } };
  }
  if (!isHandledEvent(d.name)) return { status: 200, body: { ignored: `event ${d.name}` } };
  const payload = parseJson(body);
  if (payload === undefined) return { status: 400, body: { error: `${d.name} body is not JSON` } };
  const parsed = parsePayload(d.name, payload);
  if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
  const meaning = mapDelivery(d.deliveryId, parsed, d.appId);
  return 'ignored' in meaning ? { status: 200, body: { ignored: meaning.ignored } } : meaning;
}

const atPath = (url: string | undefined): boolean => {
  const path = (url ?? '/').split('?', 1)[0]?.replace(/\/+$/, '');
  return path === GITHUB_WEBHOOK_PATH;
};

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function answer(
  res: Parameters<HttpHandler>[1],
  status: number,
  body: object,
  headers: Record<string, string> = {},
): true {
  sendJson(res, status, body, headers);
  return true;
}
