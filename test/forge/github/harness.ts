import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { sign } from '@octokit/webhooks-methods';
import { Redis } from 'ioredis';
import pino from 'pino';
import { ProbotOctokit } from 'probot';
import type { BuildService } from '../../../src/builds/service.ts';
import type { EventDispatcher } from '../../../src/forge/dispatcher.ts';
import { createGithubPlugin, type GithubPlugin } from '../../../src/forge/github/plugin.ts';
import { type BodyBudget, createBodyBudget, MAX_WEBHOOK_BODY } from '../../../src/forge/webhook-body.ts';
import { FakeGithub } from '../../support/fake-github.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';

export const SECRET = 'webhook-secret';
export const PUBLIC_URL = 'https://ci.example.com';
export const INSTALLATION = 42;
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

/** A webhook example payload from @octokit/webhooks-examples, deep-copied. */
export function example(
  name: string,
  action?: string,
  pick: (p: Record<string, unknown>) => boolean = () => true,
) {
  const group = (examples as Array<{ name: string; examples: Array<Record<string, unknown>> }>).find(
    (e) => e.name === name,
  );
  const found = group?.examples.find((x) => x.action === action && pick(x));
  if (!found) throw new Error(`no example ${name}.${action}`);
  // biome-ignore lint/suspicious/noExplicitAny: example payloads are edited freely by the tests
  const copy = structuredClone(found) as Record<string, any>;
  copy.installation = { id: INSTALLATION };
  copy.repository.full_name = 'acme/app';
  return copy;
}

/** Berth's GitHub ingress on a real HTTP server, the fake API behind it. */
export interface Harness {
  url: string;
  fake: FakeGithub;
  plugin: GithubPlugin;
  redis: Redis;
  /** POSTs a signed delivery; returns the HTTP status. */
  deliver(name: string, payload: unknown, options?: { id?: string; secret?: string }): Promise<number>;
  /** Waits until the webhook work queued so far has run. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts Redis, the fake GitHub API and Berth's GitHub plugin on a free port. */
export async function startHarness(
  builds: BuildService,
  tail: (id: string, key: { stage: string; step: string }, n: number) => Promise<string[]> = async () => [],
  existingRedis?: TestRedis,
  options: { dispatcher?: EventDispatcher; bodies?: BodyBudget } = {},
): Promise<Harness> {
  const redisServer = existingRedis ?? (await startRedis());
  const redis = new Redis(redisServer.url);
  redis.on('error', () => {});
  const fake = new FakeGithub();
  const baseUrl = await fake.start();
  const Octokit = ProbotOctokit.defaults((options: { throttle?: object }) => ({
    ...options,
    throttle: { ...options.throttle, enabled: false },
    retry: { enabled: false },
  }));
  const plugin = createGithubPlugin(
    { appId: '1', privateKey, webhookSecret: SECRET, baseUrl },
    {
      builds,
      redis,
      logger: pino({ level: 'silent' }),
      tail,
      publicUrl: PUBLIC_URL,
      bodies: options.bodies ?? createBodyBudget(MAX_WEBHOOK_BODY * 2),
      Octokit,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    },
  );
  const server: Server = createServer(async (req, res) => {
    for (const handler of plugin.handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}/api/github/webhooks`;
  return {
    url,
    fake,
    plugin,
    redis,
    async deliver(name, payload, options = {}) {
      const body = JSON.stringify(payload);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': name,
          'x-github-delivery': options.id ?? `delivery-${++counter}`,
          'x-hub-signature-256': await sign(options.secret ?? SECRET, body),
        },
        body,
      });
      await response.text();
      return response.status;
    },
    settle: () => plugin.drain(5000),
    async stop() {
      await plugin.close(5000);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fake.stop();
      redis.disconnect();
      if (!existingRedis) await redisServer.stop();
    },
  };
}
