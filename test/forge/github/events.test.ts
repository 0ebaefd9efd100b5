import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapDelivery } from '../../../src/forge/github/events.ts';
import { isHandledEvent, parsePayload } from '../../../src/forge/github/payloads.ts';
import { example } from './harness.ts';

/** The neutral event of a delivery that validates, or null when it is ignored. */
function toForgeEvent(delivery: { id: string; name: string; payload: unknown }, appId: number) {
  assert.ok(isHandledEvent(delivery.name));
  const parsed = parsePayload(delivery.name, delivery.payload);
  if ('error' in parsed) throw new Error(parsed.error);
  const meaning = mapDelivery(delivery.id, parsed, appId);
  return 'event' in meaning ? meaning.event : null;
}

const map = (name: string, payload: unknown) => toForgeEvent({ id: 'd1', name, payload }, 2);

test('pushes map to branch or tag pushes; deletes carry no sha', () => {
  const tag = example('push', undefined, (p) => String(p.ref).startsWith('refs/tags/'));
  assert.deepEqual(
    [map('push', tag)].map((e) => e?.kind === 'push' && [e.refType, e.ref, e.sha]),
    [['tag', 'simple-tag', tag.after]],
  );
  const deleted = { ...tag, deleted: true, after: '0'.repeat(40) };
  assert.equal(map('push', deleted)?.kind === 'push' && map('push', deleted)?.sha, null);
});

test('pull requests map opened/synchronize/reopened/closed and nothing else', () => {
  const pr = example('pull_request', 'opened');
  const event = map('pull_request', pr);
  assert.ok(event?.kind === 'change');
  assert.deepEqual(
    [event.action, event.change, event.sha, event.fork],
    ['opened', pr.number, pr.pull_request.head.sha, null],
  );
  assert.equal(
    (map('pull_request', { ...pr, action: 'synchronize' }) as { action?: string }).action,
    'updated',
  );
  assert.equal(map('pull_request', example('pull_request', 'labeled')), null);
  pr.pull_request.head.repo.full_name = 'someone/fork';
  assert.deepEqual((map('pull_request', pr) as { fork: unknown }).fork, {
    forge: 'github',
    repo: 'someone/fork',
  });
});

test('only new comments on pull requests count; bot comments are marked', () => {
  const onIssue = example('issue_comment', 'created');
  assert.equal(map('issue_comment', onIssue), null);
  const onPr = example('issue_comment', 'created');
  onPr.issue.pull_request = { url: 'x' };
  const event = map('issue_comment', onPr);
  assert.ok(event?.kind === 'comment');
  assert.equal(event.sha, null);
  assert.equal(event.fromBot, false);
  onPr.comment.user = { login: 'berth[bot]', type: 'Bot' };
  assert.equal((map('issue_comment', onPr) as { fromBot: boolean }).fromBot, true);
  assert.equal(map('issue_comment', { ...onPr, action: 'edited' }), null);
});

test('re-run requests of our own checks map to reruns; other apps are ignored', () => {
  const run = example('check_run', 'rerequested');
  const event = map('check_run', run);
  assert.ok(event?.kind === 'rerun');
  assert.equal(event.context, run.check_run.name);
  assert.equal(toForgeEvent({ id: 'd', name: 'check_run', payload: run }, 999), null);
  const payload = example('check_suite', 'rerequested');
  payload.check_suite.app.id = 2;
  const suite = map('check_suite', payload);
  assert.ok(suite?.kind === 'rerun' && suite.context === null);
  assert.equal(toForgeEvent({ id: 'd', name: 'check_suite', payload }, 999), null);
});

test('a delivery without an App installation or a repository is ignored', () => {
  const push = example('push', undefined, (p) => String(p.ref).startsWith('refs/heads/'));
  delete push.installation;
  assert.equal(map('push', push), null);
  const parsed = parsePayload('push', { ...push, repository: undefined });
  assert.ok(!('error' in parsed));
  assert.deepEqual(mapDelivery('d', parsed, 2), { ignored: 'no repository' });
});

test('payloads that do not carry what Berth reads are invalid, naming the field', () => {
  const push = example('push', undefined, (p) => String(p.ref).startsWith('refs/heads/'));
  assert.deepEqual(parsePayload('push', { ...push, after: 42 }), {
    error: 'invalid push payload: after: Invalid input: expected string, received number',
  });
  const pr = example('pull_request', 'opened');
  delete pr.pull_request.head;
  assert.match(String((parsePayload('pull_request', pr) as { error: string }).error), /pull_request\.head/);
});
