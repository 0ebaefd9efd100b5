import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, fixtureRepo } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';

let home: Awaited<ReturnType<typeof tempDir>>;
let kube: FakeKube;
before(async () => {
  home = await tempDir('berth-home-');
  kube = await startFakeKube({ namespaces: ['default', 'ci'] });
});
after(async () => {
  await kube.close();
  await home.remove();
});

describe('berth run --runtime kubernetes', () => {
  it('runs each step as a pod in the asked namespace, with the source streamed in', async () => {
    const repo = await fixtureRepo(
      [
        'build:',
        '  show:',
        '    container:',
        '      image: alpine:3.20',
        '      cmds:',
        '        - cat notes.txt',
        '        - echo "price $$5 stays"',
        'test:',
        '  fail:',
        '    container:',
        '      image: alpine:3.20',
        '      cmds: ["exit 4"]',
        '',
      ].join('\n'),
    );
    await writeFile(join(repo.dir, 'notes.txt'), 'from the working tree\n');
    try {
      const run = await berth(['run', '--runtime', 'kubernetes', '-n', 'ci'], repo.dir, home.dir, {
        KUBECONFIG: kube.kubeconfigPath,
      });
      assert.equal(run.code, 1, run.output);
      assert.match(run.output, /^\[build\/show\] from the working tree$/m);
      assert.match(run.output, /^\[build\/show\] price \d+5 stays$/m);
      assert.match(run.output, /^test +fail +failed +\S+ +exit 4$/m);
      const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'pods');
      assert.deepEqual(new Set(creates.map((r) => r.namespace)), new Set(['ci']));
      assert.equal(kube.count({ verb: 'watch', resource: 'pods' }), 1);
      const watch = kube.requests.find((r) => r.verb === 'watch');
      const selector = new URL(watch?.path ?? '', 'http://x').searchParams.get('labelSelector') ?? '';
      assert.match(
        selector,
        /^berth\.dev\/instance=berth-cli,/,
        "a running bot's reaper does not select CLI pods",
      );
      const perStep = kube.requests.filter((r) => r.resource === 'pods' && r.verb !== 'watch').length / 2;
      assert.ok(perStep <= 4, `${perStep} requests per step`);
      await kube.waitFor(() => kube.pods('ci').length === 0);
    } finally {
      await repo.remove();
    }
  });

  it('says how to get cluster access when there is none, and runs nothing', async () => {
    const repo = await fixtureRepo('build:\n  x:\n    container:\n      image: a\n      cmds: [true]\n');
    try {
      const run = await berth(['run', '--runtime', 'kubernetes'], repo.dir, home.dir);
      assert.equal(run.code, 2, run.output);
      assert.match(run.output, /no Kubernetes access found: set KUBECONFIG/);
    } finally {
      await repo.remove();
    }
  });
});
