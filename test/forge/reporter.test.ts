import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createReportState } from '../../src/forge/report-state.ts';
import { createBuildReporter } from '../../src/forge/reporter.ts';
import type { Forge } from '../../src/forge/types.ts';
import { GITHUB_COMMENT_MAX } from '../../src/report/summary.ts';
import { MemoryForge } from '../support/memory-forge.ts';
import { failedStages, record } from '../support/records.ts';
import { useRedis } from '../support/redis.ts';

const fixture = useRedis();

function reporter(forge: Forge) {
  return createBuildReporter({
    forgeFor: () => forge,
    state: createReportState(fixture.redis),
    tail: async (_id, key, n) => Array.from({ length: n }, (_, i) => `${key.stage}/${key.step} out ${i}`),
    publicUrl: 'https://ci.example.com',
    commentMax: GITHUB_COMMENT_MAX,
    logger: pino({ level: 'silent' }),
  });
}

test('statuses are written only when their text changes and never move backwards', async () => {
  await fixture.redis.flushall();
  const forge = new MemoryForge();
  const r = reporter(forge);
  await r.report(record());
  await r.report(record());
  const running = record({
    status: 'running',
    stages: failedStages().map((s) => ({ ...s, status: 'running' as const })),
  });
  await r.report(running);
  await r.report(record());
  assert.deepEqual(
    forge.statuses.map((s) => s.description),
    ['queued', 'running: stage 1/2 (build)'],
  );
});

test('a failure writes one summary comment; the next failure edits it; a pass marks it passed', async () => {
  await fixture.redis.flushall();
  const forge = new MemoryForge();
  const r = reporter(forge);
  await r.report(record({ status: 'failed', stages: failedStages() }));
  assert.equal(forge.comments.size, 1);
  const first = [...forge.comments.values()][0]!;
  assert.match(first.body, /test\/unit out 29/);
  await r.report(
    record({ id: 'b2', createdAt: '2026-01-01T00:10:00.000Z', status: 'failed', stages: failedStages() }),
  );
  assert.equal(forge.comments.size, 1);
  assert.equal([...forge.comments.values()][0]!.edits, 1);
  await r.report(record({ id: 'b3', createdAt: '2026-01-01T00:20:00.000Z', status: 'success' }));
  assert.match([...forge.comments.values()][0]!.body, /build #12 passed/);
});

test('a passing build without an earlier failure writes no comment', async () => {
  await fixture.redis.flushall();
  const forge = new MemoryForge();
  await reporter(forge).report(record({ status: 'success' }));
  assert.equal(forge.comments.size, 0);
  assert.equal(forge.statuses.at(-1)?.state, 'success');
});

test('a forge that rejects every write does not make report throw', async () => {
  await fixture.redis.flushall();
  const broken = new MemoryForge();
  const reject = async () => {
    throw Object.assign(new Error('422 Unprocessable'), { status: 422 });
  };
  broken.setStatus = reject;
  broken.upsertComment = reject;
  await reporter(broken).report(record({ status: 'failed', stages: failedStages() }));
});

test('a notice and build statuses share one gate: the newer wins, whichever comes last', async () => {
  await fixture.redis.flushall();
  const forge = new MemoryForge();
  const r = reporter(forge);
  const { change: _none, ...request } = record().request;
  const build = record({ request });
  const target = { forge: 'github' as const, repo: 'acme/app', installationId: 7 };
  const notice = (at: string) => ({ target, sha: build.sha!, ref: 'feature', kind: 'waiting' as const, at });
  await r.report(build);
  await r.notice(notice('2025-12-31T23:59:59.000Z'));
  assert.deepEqual(
    forge.statuses.map((s) => s.description),
    ['queued'],
    'a notice older than the build is not written',
  );
  await r.notice(notice('2026-01-01T00:00:01.000Z'));
  await r.notice(notice('2026-01-01T00:00:02.000Z'));
  await r.report({ ...build, status: 'running' });
  assert.deepEqual(
    forge.statuses.map((s) => s.description),
    ['queued', 'waiting for approval: a collaborator can comment /ok-to-test'],
    'a newer notice is written once; the older build cannot take the status back',
  );
});
