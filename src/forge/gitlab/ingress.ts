import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HttpHandler } from '../../web/types.ts';
import type { Accepted, EventDispatcher } from '../dispatcher.ts';
import type { ForgeEvent } from '../events.ts';
import { type BodyBudget, readBody, refuse } from '../webhook-body.ts';
import { HANDLED_HOOKS, type HandledHook } from './hooks.ts';
import { mapHook, type ParsedHook, parseHook } from './map-hook.ts';

/** Where GitLab posts its hooks. */
export const GITLAB_WEBHOOK_PATH = '/api/gitlab/webhooks';

/** What the GitLab webhook handler needs. */
export interface GitlabIngressOptions {
  /** `GITLAB_WEBHOOK_SECRET`, the plain token GitLab sends as `X-Gitlab-Token`. */
  secret: string;
  /** The bot's username (its own notes are not commands). */
  botUsername(): Promise<string>;
  /** Acts on one event (the forge-neutral policy); runs after GitLab got its answer. */
  onEvent(event: ForgeEvent, log: Logger, accepted: Accepted): Promise<void>;
  /** Stores accepted hooks and runs the handling off the request path (shared with the other forges). */
  dispatcher: EventDispatcher;
  /** Bytes of webhook bodies the process may hold at once (shared with the other forges). */
  bodies: BodyBudget;
  logger: Logger;
}

/** What the ingress submits for a hook (plain JSON: the validated payload and its ids). */
export interface GitlabHookJob {
  hook: ParsedHook;
  deliveryId: string;
  eventUuid?: string;
}

/**
 * `POST /api/gitlab/webhooks`: checks `X-Gitlab-Token` in constant time before
 * reading the body, reads it under the process's budget (413 past 25 MB, 503 when
 * the budget is spent), validates the payload, hands it to the dispatcher (202 once
 * stored, 503 when it could not be) and handles the event afterwards. The delivery
 * id is `Idempotency-Key`, else a sha256 of the body. Registers the `gitlab` handler.
 */
export function createGitlabIngress(options: GitlabIngressOptions): HttpHandler {
  const expected = digest(Buffer.from(options.secret, 'utf8'));
  options.dispatcher.register('gitlab', (data, accepted) => handle(data as GitlabHookJob, accepted, options));

  const handler: HttpHandler = async (req, res) => {
    if (new URL(req.url ?? '/', 'http://berth').pathname !== GITLAB_WEBHOOK_PATH) return false;
    if (req.method !== 'POST') return refuse(res, 405, 'use POST', { allow: 'POST' });
    if (!tokenMatches(req.headers['x-gitlab-token'], expected)) {
      return refuse(res, 401, 'X-Gitlab-Token does not match GITLAB_WEBHOOK_SECRET');
    }
    const hookName = header(req, 'x-gitlab-event');
    if (!isHandled(hookName)) {
      // Known from the header: the body is never read.
      return answer(res, 200, { ignored: `event ${hookName ?? '(none)'}` }, { connection: 'close' });
    }
    const read = await readBody(req, { budget: options.bodies });
    if (!('body' in read)) return refuse(res, read.status, read.error, read.headers);
    let parsed: ParsedHook | { error: string };
    let deliveryId: string;
    try {
      parsed = parseBody(hookName, read.body);
      deliveryId = header(req, 'idempotency-key') ?? createHash('sha256').update(read.body).digest('hex');
    } finally {
      read.release();
    }
    if ('error' in parsed) return answer(res, 400, { error: parsed.error });
    // X-Gitlab-Event-UUID changes on a manual resend: for tracing only, never the dedupe key.
    const eventUuid = header(req, 'x-gitlab-event-uuid');
    const job: GitlabHookJob = { hook: parsed, deliveryId, ...(eventUuid ? { eventUuid } : {}) };
    if (!(await options.dispatcher.submit('gitlab', deliveryId, job))) {
      return answer(
        res,
        503,
        { error: 'the hook could not be stored; retry later' },
        { 'retry-after': '30' },
      );
    }
    return answer(res, 202, { accepted: deliveryId });
  };
  return handler;
}

/** Runs one stored hook; failures go to the dispatcher (retried when retryable, then logged). */
async function handle(job: GitlabHookJob, accepted: Accepted, options: GitlabIngressOptions): Promise<void> {
  const { hook, deliveryId, eventUuid } = job;
  const log = options.logger.child({ deliveryId, eventUuid, hook: hook.type });
  const botUsername = hook.type === 'note' ? await options.botUsername() : '';
  const meaning = mapHook(hook, { deliveryId, botUsername });
  if ('ignored' in meaning) {
    log.debug({ reason: meaning.ignored }, 'hook ignored');
    return;
  }
  await options.onEvent(meaning.event, log, accepted);
}

function parseBody(hook: HandledHook, body: Buffer): ParsedHook | { error: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { error: `${hook} body is not JSON` };
  }
  return parseHook(hook, payload);
}

const digest = (value: Buffer): Buffer => createHash('sha256').update(value).digest();

/** Constant time whatever the lengths: compares sha256 digests. */
function tokenMatches(given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(Buffer.from(given, 'utf8')), expected);
}

const isHandled = (name: string | undefined): name is HandledHook =>
  (HANDLED_HOOKS as readonly string[]).includes(name ?? '');

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function answer(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  return true;
}
