import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app/start.ts';
import { endedBuild, startBuild, until } from '../support/api-client.ts';
import { containersOf, testEngine } from '../support/docker-engine.ts';
import { tempDir } from '../support/engine.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const TOKEN = 'docker-serve-token-0123456789';
const engine = await testEngine();
const instance = `srv${process.pid}`;

/** A stopped container labelled as a step of `build` of `owner`'s instance (what a killed worker leaves). */
async function leftover(owner: string, build: string): Promise<string> {
  if (!engine) throw new Error('no engine');
  const container = await engine.docker.createContainer({
    Image: engine.images.root,
    Entrypoint: ['sleep', '60'],
    Labels: { 'berth.dev/instance': owner, 'berth.dev/build': build, 'berth.dev/build-id': build },
  });
  return container.id;
}

describe('berth serve with BERTH_RUNTIME=docker', {
  skip: engine ? false : 'no container engine here (see the message above)',
}, () => {
  let redis: TestRedis;
  let folder: Awaited<ReturnType<typeof tempDir>>;
  let app: App;
  let orphan: string;
  let foreign: string;

  before(async () => {
    if (!engine) return;
    orphan = await leftover(instance, 'build-of-a-dead-worker');
    foreign = await leftover(`other${process.pid}`, 'build-of-a-dead-worker');
    redis = await startRedis();
    folder = await tempDir('berth-docker-serve-');
    const pipeline = [
      'build:',
      '  hello:',
      '    container:',
      `      image: ${engine.images.root}`,
      '      cmds: ["cat greeting.txt"]',
      '',
    ];
    await writeFile(join(folder.dir, '.wharf-ci.yml'), pipeline.join('\n'));
    await writeFile(join(folder.dir, 'greeting.txt'), 'hello from the worker\n');
    app = await startServe({
      REDIS_URL: redis.url,
      BERTH_RUNTIME: 'docker',
      DOCKER_HOST: engine.host,
      BERTH_INSTANCE: instance,
      BERTH_API_TOKEN: TOKEN,
      BERTH_LOCAL_SOURCES: folder.dir,
      BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
  });
  after(async () => {
    if (!engine) return;
    await app.close();
    await redis.stop();
    await folder.remove();
    await engine.docker
      .getContainer(foreign)
      .remove({ force: true })
      .catch(() => {});
  });

  it("removes at start its instance's containers of builds no longer running, and no other instance's", async () => {
    if (!engine) return;
    await until(async () => (await containersOf(engine.docker, instance)).length === 0);
    const ids = (await containersOf(engine.docker, `other${process.pid}`)).map((info) => info.Id);
    assert.deepEqual(ids, [foreign]);
    assert.ok(orphan);
  });

  it('runs a build from the API with each step in a container, and leaves none', async () => {
    if (!engine) return;
    const id = await startBuild(app.url, TOKEN, `local:${folder.dir}`);
    const ended = await endedBuild(app.url, id, { token: TOKEN, timeoutMs: 60_000 });
    assert.equal(ended.status, 'success', JSON.stringify(ended));
    const log = await (
      await fetch(`${app.url}/api/builds/${id}/logs`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    assert.match(log, /hello from the worker/);
    assert.deepEqual(await containersOf(engine.docker, instance), []);
  });
});
