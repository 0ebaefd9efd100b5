import type { ServerResponse } from 'node:http';

/** A v1.Status failure the API server answers with; thrown by handlers, written by the router. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The v1.Status body, as the real API server serialises it. */
  body(): Record<string, unknown> {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

/** A v1.Status object with status Failure. */
export function failureStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
  };
  if (details) body.details = details;
  body.code = code;
  return body;
}

/** `pods "x" not found`. */
export function notFound(resource: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

/** `pods "x" already exists`. */
export function alreadyExists(resource: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {
    name,
    kind: resource,
  });
}

/** 400 BadRequest with a message. */
export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/** 410 Expired for a resourceVersion older than the watch history. */
export function expired(requested: number, oldest: number): StatusError {
  return new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** Write a JSON body with a status code. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
