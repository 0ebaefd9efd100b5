import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, exited, fixtureRepo, startBerth } from '../support/cli.ts';
import { containersOf, testEngine } from '../support/docker-engine.ts';
import { tempDir } from '../support/engine.ts';

const engine = await testEngine();
let home: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  home = await tempDir('berth-home-');
});
after(() => home.remove());

const pipeline = (image: string, first: string) =>
  [
    'build:',
    '  first:',
    '    container:',
    `      image: ${image}`,
    `      cmds: [${JSON.stringify(first)}]`,
    'test:',
    '  missing:',
    '    container:',
    '      image: localhost/berth-does-not-exist:1',
    '      cmds: ["echo never"]',
    'report:',
    '  runs-if: always',
    '  last:',
    '    container:',
    `      image: ${image}`,
    '      cmds: ["echo always ran"]',
    '',
  ].join('\n');

describe('berth run --runtime docker', {
  skip: engine ? false : 'no container engine here (see the message above)',
}, () => {
  it('names the engine, runs the steps in containers and leaves none', async () => {
    if (!engine) return;
    const repo = await fixtureRepo(pipeline(engine.images.root, 'cat notes.txt'));
    await writeFile(join(repo.dir, 'notes.txt'), 'from the working tree\n');
    const instance = `cli${process.pid}`;
    try {
      const env = { DOCKER_HOST: engine.host, BERTH_INSTANCE: instance };
      const { code, output } = await berth(['run', '--runtime', 'docker'], repo.dir, home.dir, env);
      assert.equal(code, 1, output);
      assert.match(output, /container engine Podman Engine \d+\.\d+\.\d+ \(API \d+\.\d+\) at unix:\/\//);
      assert.match(output, /\[build\/first\] from the working tree/);
      assert.match(output, /\[test\/missing\] » step error: cannot pull localhost\/berth-does-not-exist:1/);
      assert.match(output, /\[report\/last\] always ran/);
      assert.deepEqual(await containersOf(engine.docker, `${instance}-cli`), []);
    } finally {
      await repo.remove();
    }
  });

  it('removes the containers a SIGKILLed run left at the next start, not those of a run still going', async () => {
    if (!engine) return;
    const repo = await fixtureRepo(pipeline(engine.images.root, 'echo started; sleep 120'));
    const instance = `kill${process.pid}`;
    const env = { DOCKER_HOST: engine.host, BERTH_INSTANCE: instance };
    const killed = startBerth(['run', '--runtime', 'docker'], repo.dir, home.dir, env);
    const bystander = startBerth(['run', '--runtime', 'docker'], repo.dir, home.dir, env);
    try {
      for (const child of [killed, bystander]) {
        while (!child.output().includes('started')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      killed.kill('SIGKILL');
      await exited(killed);
      const owners = async () =>
        (await containersOf(engine.docker, `${instance}-cli`))
          .map((info) => info.Labels['berth.dev/owner']?.split(':')[1])
          .sort();
      assert.deepEqual(
        await owners(),
        [String(killed.pid), String(bystander.pid)].sort(),
        'the killed run left its container',
      );
      const next = await berth(['run', '--runtime', 'docker', '--stage', 'report'], repo.dir, home.dir, env);
      assert.equal(next.code, 0, next.output);
      assert.deepEqual(await owners(), [String(bystander.pid)], 'only the live run keeps its container');
    } finally {
      bystander.kill('SIGINT');
      await exited(bystander);
      await repo.remove();
    }
  });
});
