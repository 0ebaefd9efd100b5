import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A streaming GET the generated client cannot do safely: status, and the body as a stream. */
export async function streamGet(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { ...options, signal }, resolve);
    request.on('error', reject);
  });
}

/** Reads a (small) error body, e.g. a v1.Status, for a message. */
export async function readText(response: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let text = '';
  for await (const chunk of response) {
    text += String(chunk);
    if (text.length > limit) break;
  }
  response.destroy();
  return text;
}
