import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CoreV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import { clientFor, shellPod } from './helpers.ts';
import { type FakeKube, startFakeKube } from './index.ts';

interface Seen {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string };
}

/** Open a watch through the real client; collects events and the done() error. */
async function openWatch(config: KubeConfig, query: Record<string, string | number | boolean>) {
  const events: Seen[] = [];
  let ended: { error: unknown } | undefined;
  const controller = await new Watch(config).watch(
    '/api/v1/namespaces/default/pods',
    query,
    (type, object) => events.push({ type, object }),
    (error) => {
      ended = { error };
    },
  );
  return { events, ended: () => ended, stop: () => controller.abort() };
}

describe('fake kube: watch through the real client', () => {
  let fake: FakeKube;
  let api: CoreV1Api;
  let config: KubeConfig;
  before(async () => {
    fake = await startFakeKube({ historySize: 50, bookmarkMs: 50 });
    ({ api, config } = clientFor(fake));
  });
  after(() => fake.close());

  it('streams a label-scoped pod lifecycle and resumes from a resourceVersion without gaps', async () => {
    const watch = await openWatch(config, { labelSelector: 'run=one' });
    const body = shellPod('watched', 'echo hi');
    body.metadata = { name: 'watched', labels: { run: 'one' } };
    await api.createNamespacedPod({ namespace: 'default', body: shellPod('unrelated', 'true') });
    await api.createNamespacedPod({ namespace: 'default', body });
    await fake.waitFor(() => watch.events.some((event) => event.type === 'MODIFIED' && isDone(event)));
    watch.stop();
    assert.equal(watch.events[0]?.type, 'ADDED');
    assert.ok(watch.events.every((event) => event.object.metadata?.name === 'watched'));
    const versions = watch.events.map((event) => Number(event.object.metadata?.resourceVersion));
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
    );

    const from = watch.events[1]?.object.metadata?.resourceVersion ?? '';
    const resumed = await openWatch(config, { labelSelector: 'run=one', resourceVersion: from });
    await fake.waitFor(() => resumed.events.length === watch.events.length - 2);
    resumed.stop();
    assert.deepEqual(
      resumed.events.map((event) => event.object.metadata?.resourceVersion),
      watch.events.slice(2).map((event) => event.object.metadata?.resourceVersion),
    );
    assert.equal(fake.count({ verb: 'watch', resource: 'pods' }), 2);
  });

  it('answers a resume older than the history with HTTP 410, and sends ERROR 410 on open watches', async () => {
    const list = await api.listNamespacedPod({ namespace: 'default' });
    fake.faults.expireHistory();
    const stale = await openWatch(config, { resourceVersion: list.metadata?.resourceVersion ?? '' });
    await fake.waitFor(() => stale.ended() !== undefined);
    assert.equal((stale.ended()?.error as { statusCode?: number } | undefined)?.statusCode, 410);

    const fresh = await api.listNamespacedPod({ namespace: 'default' });
    const open = await openWatch(config, { resourceVersion: fresh.metadata?.resourceVersion ?? '' });
    await fake.waitFor(() => fake.requests.at(-1)?.status === 200);
    fake.faults.goneWatches();
    await fake.waitFor(() => open.ended() !== undefined);
    const error = open.events.at(-1);
    assert.equal(error?.type, 'ERROR');
    assert.equal(error?.object.code, 410);
    assert.equal(error?.object.reason, 'Expired');
  });

  it('sends BOOKMARK events when allowed and ends cleanly at timeoutSeconds', async () => {
    const list = await api.listNamespacedPod({ namespace: 'default' });
    const started = Date.now();
    const watch = await openWatch(config, {
      resourceVersion: list.metadata?.resourceVersion ?? '',
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    await fake.waitFor(() => watch.ended() !== undefined, 3000);
    assert.ok(Date.now() - started >= 900);
    assert.equal(watch.ended()?.error, null);
    const bookmark = watch.events.find((event) => event.type === 'BOOKMARK');
    assert.ok(bookmark, 'a bookmark arrived');
    assert.ok(Number(bookmark.object.metadata?.resourceVersion) >= Number(list.metadata?.resourceVersion));
  });

  it('drops open watches mid-stream on demand (the client sees the stream end)', async () => {
    const watch = await openWatch(config, {});
    await fake.waitFor(() => fake.requests.at(-1)?.status === 200);
    fake.faults.dropWatches();
    await fake.waitFor(() => watch.ended() !== undefined);
  });
});

function isDone(event: Seen): boolean {
  const pod = event.object as { status?: { containerStatuses?: { state?: { terminated?: unknown } }[] } };
  return pod.status?.containerStatuses?.[0]?.state?.terminated !== undefined;
}
