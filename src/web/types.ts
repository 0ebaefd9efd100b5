import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One piece of Berth's HTTP surface (webhook ingress, API, pages). The server asks
 * each handler in turn; a handler returns true when it answered the request.
 * Handlers read the raw body themselves (webhooks verify signatures over raw bytes).
 */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
