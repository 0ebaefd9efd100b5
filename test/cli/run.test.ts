import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { until } from '../support/api-client.ts';
import { berth, ctrlC, exited, fixtureRepo, printed, startBerth } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';
import { killAllWith, processesWith, survivorsWith, uniqueMarker } from '../support/processes.ts';

let home: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  home = await tempDir('berth-home-');
});
after(() => home.remove());

/** After a test that kills Berth: whatever still carries `marker` is killed, and HOME starts empty again. */
async function leftoversGone(marker: string, repo: { remove(): Promise<void> }) {
  await killAllWith(marker);
  await repo.remove();
  await home.remove();
  home = await tempDir('berth-home-');
}

const container = (name: string, cmds: string[]) =>
  `  ${name}:\n    container:\n      image: alpine:3.20\n      cmds:\n${cmds.map((c) => `        - ${JSON.stringify(c)}\n`).join('')}`;

describe('berth run', () => {
  it('exits 0 when the build succeeds and 1 when a step fails', async () => {
    const repo = await fixtureRepo(`build:\n${container('hello', ['echo hello from $PWD'])}`);
    const failing = await fixtureRepo(`test:\n${container('unit', ['exit 5'])}`);
    try {
      const ok = await berth(['run', '--runtime', 'local'], repo.dir, home.dir);
      assert.equal(ok.code, 0, ok.output);
      // TMPDIR (set by startBerth) holds the step copies when BERTH_WORK_DIR is not set.
      assert.match(
        ok.output,
        new RegExp(`^\\[build/hello\\] hello from ${home.dir}/berth-run-\\w+-\\w+/step-1$`, 'm'),
      );
      const bad = await berth(['run', failing.dir, '--runtime', 'local'], home.dir, home.dir);
      assert.equal(bad.code, 1, bad.output);
      assert.match(bad.output, /^test +unit +failed +\S+ +exit 5$/m);
    } finally {
      await repo.remove();
      await failing.remove();
    }
  });

  it('puts the step copies in BERTH_WORK_DIR and removes them', async () => {
    const repo = await fixtureRepo(`build:\n${container('where', ['echo "in $PWD"; ls -A'])}`);
    const work = await tempDir('berth-work-');
    try {
      const ok = await berth(['run', '--runtime', 'local'], repo.dir, home.dir, { BERTH_WORK_DIR: work.dir });
      assert.equal(ok.code, 0, ok.output);
      assert.match(ok.output, new RegExp(`^\\[build/where\\] in ${work.dir}/berth-run-`, 'm'));
      assert.match(ok.output, /^\[build\/where\] \.wharf-ci\.yml$/m);
      assert.deepEqual(await readdir(work.dir), []);
    } finally {
      await repo.remove();
      await work.remove();
    }
  });

  it('exits 2 on a bad definition or bad usage, running nothing', async () => {
    const repo = await fixtureRepo(`build:\n  broken:\n    container:\n      image: alpine\n`);
    try {
      const bad = await berth(['run', '--runtime', 'local'], repo.dir, home.dir);
      assert.equal(bad.code, 2, bad.output);
      assert.match(bad.output, /\.wharf-ci\.yml:\d+:\d+: error: missing required field: "cmds"/);
      assert.doesNotMatch(bad.output, /STAGE/);
      const usage = await berth(['run', '--runtime', 'moon'], repo.dir, home.dir);
      assert.equal(usage.code, 2);
      assert.match(usage.output, /--runtime must be local, kubernetes or docker, got 'moon'/);
      const input = await berth(['run', '-i', 'novalue'], repo.dir, home.dir);
      assert.equal(input.code, 2);
    } finally {
      await repo.remove();
    }
  });

  it('on Ctrl-C stops every process a step started, cleans up and exits 130', async () => {
    const marker = uniqueMarker();
    const script = `sh -c 'sleep 300; echo ${marker}' & sleep 301 & echo ${marker}-up; wait`;
    const repo = await fixtureRepo(
      `build:\n${container('serve', [script])}${container('other', [`sleep 302; echo ${marker}`])}`,
    );
    try {
      const child = startBerth(['run', '--runtime', 'local'], repo.dir, home.dir);
      await printed(child, `${marker}-up`);
      assert.ok((await processesWith(marker)).length >= 2);
      ctrlC(child);
      const code = await exited(child);
      assert.equal(code, 130, child.output());
      assert.match(child.output(), /^build +serve +cancelled/m);
      assert.deepEqual(await processesWith(marker), []);
      assert.deepEqual(await readdir(home.dir), []);
    } finally {
      await repo.remove();
    }
  });

  it('leaves no step process behind when berth itself is SIGKILLed', async () => {
    const marker = uniqueMarker();
    const repo = await fixtureRepo(
      `build:\n${container('long', [`sh -c 'sleep 300; echo ${marker}' & echo ${marker}-up; sleep 301`])}`,
    );
    try {
      const child = startBerth(['run', '--runtime', 'local'], repo.dir, home.dir);
      await printed(child, `${marker}-up`);
      assert.equal((await readdir(home.dir)).length, 1, 'the build has its copies folder');
      process.kill(child.pid as number, 'SIGKILL');
      await exited(child);
      assert.deepEqual(await survivorsWith(marker, 5000), []);
      // The launcher removes the copies once it has stopped the steps.
      await until(async () => (await readdir(home.dir)).length === 0, 5000);
    } finally {
      await leftoversGone(marker, repo);
    }
  });

  it('exits at once on a second Ctrl-C, still killing the step processes', async () => {
    const marker = uniqueMarker();
    const repo = await fixtureRepo(
      `build:\n${container('stubborn', [`trap '' TERM INT; echo ${marker}-up; sleep 300`])}`,
    );
    try {
      const child = startBerth(['run', '--runtime', 'local'], repo.dir, home.dir);
      await printed(child, `${marker}-up`);
      ctrlC(child);
      await printed(child, 'press Ctrl-C again');
      ctrlC(child);
      const code = await exited(child);
      assert.equal(code, 130);
      assert.match(child.output(), /exiting now, without waiting for the cleanup/);
      assert.deepEqual(await survivorsWith(marker), []);
      await until(async () => (await readdir(home.dir)).length === 0, 5000);
    } finally {
      await leftoversGone(marker, repo);
    }
  });
});
