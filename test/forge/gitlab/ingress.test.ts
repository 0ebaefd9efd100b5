import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ForgeEvent } from '../../../src/forge/events.ts';
import { createGitlabIngress } from '../../../src/forge/gitlab/ingress.ts';
import { createBodyBudget, MAX_WEBHOOK_BODY } from '../../../src/forge/webhook-body.ts';
import { createEventDispatcher, type MemoryEventDispatcher } from '../../support/memory-dispatcher.ts';
import { fixture, postHook, serve } from './helpers.ts';

const token = 'hook-secret-0123456789';
const HEAD = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';

describe('GitLab webhook ingress', () => {
  const events: ForgeEvent[] = [];
  const logger = pino({ level: 'silent' });
  let dispatcher: MemoryEventDispatcher;
  let server: Awaited<ReturnType<typeof serve>>;
  const post = async (
    event: string,
    payload: unknown,
    options: { token?: string; idempotencyKey?: string } = {},
  ) => {
    const answer = await postHook(server.url, event, payload, { token, ...options });
    await dispatcher.drain(5000);
    return answer;
  };

  before(async () => {
    dispatcher = createEventDispatcher({ logger });
    const handler = createGitlabIngress({
      secret: token,
      botUsername: async () => 'berth-bot',
      onEvent: async (event) => {
        events.push(event);
      },
      dispatcher,
      bodies: createBodyBudget(MAX_WEBHOOK_BODY),
      logger,
    });
    server = await serve([handler]);
  });
  after(() => server.close());
  beforeEach(() => {
    events.length = 0;
  });

  it('refuses a wrong or missing token with 401 and handles nothing', async () => {
    assert.equal((await post('Push Hook', fixture('push'), { token: 'wrong' })).status, 401);
    assert.equal((await post('Push Hook', fixture('push'), { token: `${token}x` })).status, 401);
    assert.equal((await post('Push Hook', 'not even json', { token: '' })).status, 401);
    assert.deepEqual(events, []);
  });

  it('maps a branch push to a push event with its head commit', async () => {
    const answer = await post('Push Hook', fixture('push'), { idempotencyKey: 'key-1' });
    assert.equal(answer.status, 202);
    assert.deepEqual(events, [
      {
        kind: 'push',
        repo: { forge: 'gitlab', repo: 'mike/diaspora', projectId: 15 },
        deliveryId: 'key-1',
        actor: 'jsmith',
        actorId: 4,
        ref: 'main',
        refType: 'branch',
        sha: HEAD,
        commit: { message: 'fixed readme', committerDate: '2012-01-03T23:36:29+02:00' },
      },
    ]);
  });

  it('maps tag pushes, and branch deletes to a push without sha', async () => {
    await post('Tag Push Hook', fixture('tag-push'));
    await post('Push Hook', fixture('push', { checkout_sha: null, after: '0'.repeat(40), commits: [] }));
    assert.deepEqual(
      events.map((e) => e.kind === 'push' && [e.refType, e.ref, e.sha]),
      [
        ['tag', 'v1.0.0', '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7'],
        ['branch', 'main', null],
      ],
    );
  });

  it('uses a sha256 of the body as delivery id when there is no Idempotency-Key (not X-Gitlab-Event-UUID, new on each resend)', async () => {
    const body = fixture('push', { user_name: 'resent' });
    const answers = [await post('Push Hook', body), await post('Push Hook', body)];
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 202],
    );
    assert.equal(events.length, 1, 'the resend is the same delivery: handled once');
    assert.match(events[0]?.deliveryId ?? '', /^[0-9a-f]{64}$/);
    assert.equal(answers[1]?.body.accepted, events[0]?.deliveryId);
  });

  it('builds merge requests on open, reopen and new commits, not on title edits', async () => {
    const mr = (attributes: Record<string, unknown>) =>
      fixture('merge-request-open', { object_attributes: attributes });
    await post('Merge Request Hook', mr({ action: 'open' }));
    await post('Merge Request Hook', mr({ action: 'reopen' }));
    await post(
      'Merge Request Hook',
      mr({ action: 'update', oldrev: '95790bf891e76fee5e1747ab589903a6a1f80f22' }),
    );
    await post('Merge Request Hook', mr({ action: 'update', title: 'Draft: MS-Viewport' }));
    await post('Merge Request Hook', mr({ action: 'approved' }));
    await post('Merge Request Hook', mr({ action: 'close', state: 'closed' }));
    await post('Merge Request Hook', mr({ action: 'merge', state: 'merged' }));
    assert.deepEqual(
      events.map((e) => e.kind === 'change' && e.action),
      ['opened', 'reopened', 'updated', 'closed', 'closed'],
    );
    const [opened] = events;
    assert.deepEqual(opened, {
      kind: 'change',
      repo: { forge: 'gitlab', repo: 'mike/diaspora', projectId: 15 },
      deliveryId: opened?.deliveryId,
      actor: 'root',
      actorId: 1,
      action: 'opened',
      change: 1,
      sha: HEAD,
      ref: 'ms-viewport',
      fork: null,
      author: 'root',
      authorId: 1,
      commit: { message: 'fixed readme' },
    });
  });

  it('marks a merge request from a fork with its source project', async () => {
    const payload = fixture('merge-request-open', {
      object_attributes: { source_project_id: 42, source: { id: 42, path_with_namespace: 'eve/diaspora' } },
    });
    await post('Merge Request Hook', payload);
    const [event] = events;
    assert.deepEqual(event?.kind === 'change' && event.fork, {
      forge: 'gitlab',
      repo: 'eve/diaspora',
      projectId: 42,
    });
  });

  it('accepts a fork merge request whose source project is gone (source: null)', async () => {
    const payload = fixture('merge-request-open', {
      object_attributes: { source_project_id: 42, source: null },
    });
    assert.equal((await post('Merge Request Hook', payload)).status, 202);
    const [event] = events;
    assert.deepEqual(event?.kind === 'change' && event.fork, { forge: 'gitlab', repo: '42', projectId: 42 });
  });

  it('maps merge request notes to comments with the head sha; ignores other notes', async () => {
    await post('Note Hook', fixture('note-merge-request'));
    await post('Note Hook', fixture('note-issue'));
    await post('Note Hook', fixture('note-merge-request', { user: { username: 'berth-bot' } }));
    await post('Note Hook', fixture('note-merge-request', { merge_request: { state: 'merged' } }));
    await post('Note Hook', fixture('note-merge-request', { object_attributes: { action: 'update' } }));
    await post('Note Hook', fixture('note-merge-request', { object_attributes: { system: true } }));
    assert.deepEqual(
      events.map((e) => e.kind === 'comment' && [e.body, e.sha, e.fromBot, e.changeState, e.commentId]),
      [
        ['/retest', HEAD, false, 'open', '1244'],
        ['/retest', HEAD, true, 'open', '1244'],
        ['/retest', HEAD, false, 'closed', '1244'],
      ],
    );
  });

  it('acknowledges other events, and answers 400 to a malformed payload', async () => {
    assert.equal((await post('Pipeline Hook', { object_kind: 'pipeline' })).status, 200);
    assert.equal((await post('Job Hook', 'whatever')).status, 200);
    const broken = await post('Push Hook', '{"ref": ');
    assert.equal(broken.status, 400);
    const wrong = await post(
      'Merge Request Hook',
      fixture('merge-request-open', { object_attributes: { iid: 'x' } }),
    );
    assert.equal(wrong.status, 400);
    assert.match(String(wrong.body.error), /object_attributes\.iid/);
    assert.deepEqual(events, []);
  });

  it('answers before the event has been handled', async () => {
    const gate = Promise.withResolvers<void>();
    const slowDispatcher = createEventDispatcher({ logger, backlog: 1, concurrency: 1 });
    const slow = createGitlabIngress({
      secret: token,
      botUsername: async () => 'berth-bot',
      onEvent: () => gate.promise,
      dispatcher: slowDispatcher,
      bodies: createBodyBudget(MAX_WEBHOOK_BODY),
      logger,
    });
    const slowServer = await serve([slow]);
    try {
      const answer = await postHook(slowServer.url, 'Push Hook', fixture('push'), { token });
      assert.equal(answer.status, 202);
      assert.equal(slowDispatcher.pending, 1, 'still being handled');
      await postHook(slowServer.url, 'Push Hook', fixture('push'), { token, idempotencyKey: 'slow-2' });
      const full = await postHook(slowServer.url, 'Push Hook', fixture('push'), {
        token,
        idempotencyKey: 'slow-3',
      });
      assert.equal(full.status, 503, 'a full backlog asks GitLab to retry');
    } finally {
      gate.resolve();
      await slowDispatcher.drain(5000);
      await slowServer.close();
    }
  });
});
