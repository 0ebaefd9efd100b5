import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { BuildRecord } from '../../../src/builds/types.ts';
import { createGitlabPlugin, type GitlabPlugin } from '../../../src/forge/gitlab/plugin.ts';
import { createBodyBudget, MAX_WEBHOOK_BODY } from '../../../src/forge/webhook-body.ts';
import type { BuildState } from '../../../src/vocab/index.ts';
import { FakeGitlab } from '../../support/fake-gitlab.ts';
import { MemoryBuilds } from '../../support/memory-builds.ts';
import { createEventDispatcher } from '../../support/memory-dispatcher.ts';
import { startRedis, type TestRedis } from '../../support/redis.ts';
import { fixture, postHook, serve } from './helpers.ts';

export const SECRET = 'gitlab-hook-secret-42';
export const PUBLIC_URL = 'http://berth.test';
/** Head commit of the documented payloads (fixtures). */
export const HEAD = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
export const PIPELINE = 'build:\n  compile:\n    container:\n      image: alpine\n      cmds: [make]\n';

/**
 * Berth's GitLab plugin behind a real HTTP server, against the GitLab fake and a
 * private redis-server; builds go to an in-memory BuildService that `finish` drives
 * the way the worker does (through the adapter's reporter).
 */
export class GitlabHarness {
  readonly fake = new FakeGitlab();
  readonly builds = new MemoryBuilds();
  readonly tails = new Map<string, string[]>();
  plugin!: GitlabPlugin;
  private redisServer!: TestRedis;
  private redis!: Redis;
  private server!: Awaited<ReturnType<typeof serve>>;
  private readonly dispatcher = createEventDispatcher({ logger: pino({ level: 'silent' }) });

  async start(): Promise<this> {
    this.redisServer = await startRedis();
    this.redis = new Redis(this.redisServer.url);
    await this.fake.start();
    this.fake.addProject(15, 'mike/diaspora');
    this.fake.addCommit(15, HEAD, { '.wharf-ci.yml': PIPELINE }, 'fixed readme');
    this.plugin = createGitlabPlugin(
      { url: this.fake.url, token: this.fake.token, webhookSecret: SECRET },
      {
        builds: this.builds,
        redis: this.redis,
        logger: pino({ level: 'silent' }),
        dispatcher: this.dispatcher,
        tail: async (_id, key, lines) => (this.tails.get(`${key.stage}/${key.step}`) ?? []).slice(-lines),
        publicUrl: PUBLIC_URL,
        bodies: createBodyBudget(MAX_WEBHOOK_BODY * 2),
      },
    );
    this.server = await serve(this.plugin.handlers);
    return this;
  }

  async stop(): Promise<void> {
    await this.dispatcher.drain(5000);
    await this.server.close();
    this.redis.disconnect();
    await this.redisServer.stop();
    await this.fake.close();
  }

  /** Posts a hook (a fixture name or a payload) and waits until Berth has handled it. */
  async hook(
    event: string,
    payload: string | Record<string, unknown>,
    options: { token?: string; key?: string } = {},
  ) {
    const body = typeof payload === 'string' ? fixture(payload) : payload;
    const answer = await postHook(this.server.url, event, body, {
      token: options.token ?? SECRET,
      ...(options.key ? { idempotencyKey: options.key } : {}),
    });
    await this.dispatcher.drain(5000);
    return answer;
  }

  /** MR !1 of mike/diaspora as the API shows it (the hooks' fixtures describe the same MR). */
  openMergeRequest(fields: Record<string, unknown> = {}): void {
    this.fake.addMergeRequest(15, 1, {
      sha: HEAD,
      state: 'opened',
      source_branch: 'ms-viewport',
      source_project_id: 15,
      target_project_id: 15,
      author: { username: 'root' },
      ...fields,
    });
  }

  /** Runs a queued build the way the worker does: reads the pipeline, reports running, then the end state. */
  async run(id: string, end: BuildState, stages: BuildRecord['stages'] = []): Promise<BuildRecord> {
    const record = (await this.builds.get(id)) as BuildRecord;
    const signal = AbortSignal.timeout(10_000);
    const pipeline = await this.plugin.adapter.readFile(record.request, '.wharf-ci.yml', signal);
    if (pipeline === null) throw new Error('no pipeline at the sha');
    const at = new Date().toISOString();
    Object.assign(record, { status: 'running', startedAt: at, stages: [] });
    await this.plugin.adapter.reporter.report(structuredClone(record), signal);
    Object.assign(record, { status: end, finishedAt: new Date().toISOString(), stages });
    if (end === 'failed') record.reason = 'user';
    await this.plugin.adapter.reporter.report(structuredClone(record), signal);
    return record;
  }
}

/** One stage with one step that ended as `status`. */
export function stagesEnding(status: 'success' | 'failed', exitCode = status === 'success' ? 0 : 2) {
  const at = new Date().toISOString();
  return [
    {
      name: 'build',
      status,
      steps: [
        {
          name: 'compile',
          status,
          exitCode,
          reason: status === 'failed' ? ('user' as const) : null,
          message: null,
          startedAt: at,
          finishedAt: at,
        },
      ],
    },
  ];
}
