import type { IncomingMessage } from 'node:http';
import { badRequest } from './status.ts';
import type { KubeObject } from './types.ts';

/** The JSON body of a request (undefined when empty); 400 when it is not JSON. */
export async function readBody(req: IncomingMessage): Promise<KubeObject | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    throw badRequest(`the body of the request was in an unknown format: ${text.slice(0, 40)}`);
  }
}
