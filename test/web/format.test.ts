import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitUrl, durationBetween, formatDuration, timeAgo } from '../../src/web/assets/format.ts';
import { makeRecord } from '../support/web-fixture.ts';

const links = { github: 'https://ghe.example.com/', gitlab: 'https://gitlab.example.com' };

test('commit links point at the forge of the build', () => {
  const github = makeRecord({ id: 'a', sha: 'abc123' });
  assert.equal(commitUrl(github, links), 'https://ghe.example.com/acme/widgets/commit/abc123');
  const gitlab = makeRecord({
    id: 'b',
    sha: 'def456',
    request: {
      forge: 'gitlab',
      repo: 'group/sub/project',
      ref: 'main',
      refType: 'branch',
      trigger: 'push',
      inputs: {},
      rerun: false,
    },
  });
  assert.equal(commitUrl(gitlab, links), 'https://gitlab.example.com/group/sub/project/-/commit/def456');
  const local = makeRecord({
    id: 'c',
    request: {
      forge: 'local',
      repo: '/srv/repo',
      ref: 'main',
      refType: 'branch',
      trigger: 'manual',
      inputs: {},
      rerun: false,
    },
  });
  assert.equal(commitUrl(local, links), null);
});

test('durations and ages read like a person would say them', () => {
  assert.equal(formatDuration(850), '850ms');
  assert.equal(formatDuration(12_400), '12s');
  assert.equal(formatDuration(184_000), '3m 04s');
  assert.equal(formatDuration(3_720_000), '1h 02m');
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(durationBetween('2026-01-01T11:59:00Z', null, now), '1m 00s', 'running builds count up');
  assert.equal(durationBetween(null, null, now), '');
  assert.equal(timeAgo('2026-01-01T11:59:50Z', now), 'just now');
  assert.equal(timeAgo('2026-01-01T11:30:00Z', now), '30 min ago');
  assert.equal(timeAgo('2025-12-01T00:00:00Z', now), '2025-12-01');
});
