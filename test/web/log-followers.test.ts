import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { App } from '../../src/app/start.ts';
import { until } from '../support/api-client.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';
import { readSse, type SseEvent } from '../support/sse.ts';

const LINES = 200;

describe('live-log followers', () => {
  let redis: TestRedis;
  let client: Redis;
  let app: App;
  let root: string;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    root = await mkdtemp(join(tmpdir(), 'berth-followers-'));
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_RUNTIME: 'local',
      BERTH_LOCAL_SOURCES: root,
      BERTH_PUBLIC_READ: 'true',
      BERTH_LOG_FOLLOWERS: '60',
      BERTH_LOG_FOLLOWERS_PER_BUILD: '50',
    });
  });
  after(async () => {
    await app.close();
    client.disconnect();
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  });

  /** A build that prints `ready`, waits for `go`, then prints LINES lines. */
  async function waitingBuild(name: string, go: string): Promise<string> {
    const repo = join(root, name);
    await mkdir(repo);
    const script = `echo ready; while [ ! -e ${go} ]; do sleep 0.05; done; for i in $(seq 1 ${LINES}); do echo "line $i"; done`;
    await writeFile(
      join(repo, '.wharf-ci.yml'),
      `build:\n  talk:\n    container:\n      image: alpine\n      cmds:\n        - ${JSON.stringify(script)}\n`,
    );
    const request = { forge: 'local', repo, ref: 'main', refType: 'branch', trigger: 'manual' } as const;
    return (await app.stack.service.request({ ...request, inputs: {}, rerun: true })).id;
  }

  const texts = (events: SseEvent[]): string[] =>
    events.filter((e) => e.event === 'lines').flatMap((e) => JSON.parse(e.data).map((l: string[]) => l[4])); // [stage, step, stream, time, text]
  const clients = async () =>
    String(await client.client('LIST'))
      .trim()
      .split('\n').length;

  it('share one Redis reader, get every line, and past the caps get 503', async () => {
    const go = join(root, 'go');
    const [a, b] = [await waitingBuild('a', go), await waitingBuild('b', go)];
    const before = await clients();
    const connected = new Set<string>();
    const follow = (id: string, n: number) =>
      readSse(`${app.url}/api/builds/${id}/logs`, {}, (events) => {
        if (texts(events).includes('ready')) connected.add(`${id}/${n}`);
        return events.at(-1)?.event === 'end';
      });
    const followers = [
      ...Array.from({ length: 50 }, (_, n) => follow(a, n)),
      ...Array.from({ length: 10 }, (_, n) => follow(b, n)),
    ];
    await until(async () => connected.size === 60, 60_000);

    assert.ok(
      (await clients()) <= before + 2,
      `${await clients()} Redis clients, ${before} before 60 followers`,
    );
    const refused = async (id: string) => {
      const res = await fetch(`${app.url}/api/builds/${id}/logs`, {
        headers: { accept: 'text/event-stream' },
      });
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    assert.deepEqual(await refused(a), [
      503,
      'this build has as many log followers as it may; try again later',
    ]);
    assert.deepEqual(await refused(b), [503, 'this server follows as many logs as it may; try again later']);

    await writeFile(go, '');
    const expected = ['ready', ...Array.from({ length: LINES }, (_, i) => `line ${i + 1}`)];
    for (const events of await Promise.all(followers)) {
      assert.deepEqual(
        texts(events).filter((t) => expected.includes(t)),
        expected,
      );
      assert.deepEqual(JSON.parse(events.at(-1)?.data ?? '{}'), { status: 'success' });
    }
    // The places were given back: a new follower reads the whole log.
    const again = await readSse(
      `${app.url}/api/builds/${a}/logs`,
      {},
      (events) => events.at(-1)?.event === 'end',
    );
    assert.equal(texts(again).filter((t) => t.startsWith('line ')).length, LINES);
  });
});
