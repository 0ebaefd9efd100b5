import { Redis } from 'ioredis';
import pino from 'pino';
import type { ChangeEvent, CommentEvent, PushEvent } from '../../../src/forge/events.ts';
import { createPolicyStore, type PolicyDeps } from '../../../src/forge/policy/index.ts';
import { createReportState } from '../../../src/forge/report-state.ts';
import { createBuildReporter } from '../../../src/forge/reporter.ts';
import type { RepoRef } from '../../../src/forge/types.ts';
import { GITHUB_COMMENT_MAX } from '../../../src/report/summary.ts';
import { MemoryBuilds } from '../../support/memory-builds.ts';
import { MemoryForge } from '../../support/memory-forge.ts';

export const repo: RepoRef = { forge: 'github', repo: 'acme/app', installationId: 7 };
let counter = 0;

/** A 40-hex-digit sha spelled from a short name (`sha('a1')`). */
export const sha = (name: string): string => Buffer.from(name).toString('hex').padEnd(40, '0');
const delivery = () => `d-${++counter}`;

/** Fresh policy collaborators on a real Redis (flushed). */
export async function setup(url: string) {
  const redis = new Redis(url);
  await redis.flushall();
  const forge = new MemoryForge();
  const builds = new MemoryBuilds();
  const logger = pino({ level: 'silent' });
  const reporter = createBuildReporter({
    forgeFor: () => forge,
    state: createReportState(redis),
    tail: async () => [],
    publicUrl: null,
    commentMax: GITHUB_COMMENT_MAX,
    logger,
  });
  const deps: PolicyDeps = { forge, builds, store: createPolicyStore(redis), logger, reporter };
  return { redis, forge, builds, deps };
}

export const push = (sha: string | null, message = 'fix', ref = 'main'): PushEvent => ({
  kind: 'push',
  repo,
  deliveryId: delivery(),
  actor: 'alice',
  ref,
  refType: 'branch',
  sha,
  commit: sha ? { message } : null,
});

export const change = (
  action: ChangeEvent['action'],
  sha: string,
  author: string,
  fork = true,
): ChangeEvent => ({
  kind: 'change',
  repo,
  deliveryId: delivery(),
  actor: author,
  action,
  change: 5,
  sha,
  ref: 'feature',
  fork: fork ? { forge: 'github', repo: `${author}/app` } : null,
  author,
  commit: { message: 'change' },
});

export const comment = (body: string, actor: string, state: 'open' | 'closed' = 'open'): CommentEvent => ({
  kind: 'comment',
  repo,
  deliveryId: delivery(),
  actor,
  change: 5,
  body,
  fromBot: false,
  changeState: state,
  sha: null,
  writtenAt: new Date().toISOString(),
  commentId: String(counter),
});
