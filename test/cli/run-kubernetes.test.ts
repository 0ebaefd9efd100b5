import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berth, fixtureRepo } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';
import { type FakeKube, kubeconfigYaml, startFakeKube } from '../support/fake-kube/index.ts';

let home: Awaited<ReturnType<typeof tempDir>>;
let kube: FakeKube;
before(async () => {
  home = await tempDir('berth-home-');
  kube = await startFakeKube({ namespaces: ['default', 'ci', 'team-a'] });
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

  it('gives every step container requests and limits when none are configured', async () => {
    const repo = await fixtureRepo(
      'build:\n  slow:\n    container:\n      image: alpine:3.20\n      cmds: ["sleep 1"]\n',
    );
    try {
      const running = berth(['run', '--runtime', 'kubernetes', '-n', 'ci'], repo.dir, home.dir, {
        KUBECONFIG: kube.kubeconfigPath,
      });
      await kube.waitFor(() => kube.pods('ci').length === 1, 10_000);
      const [pod] = kube.pods('ci');
      for (const container of [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])]) {
        assert.deepEqual(
          JSON.parse(JSON.stringify(container.resources)),
          { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '2Gi' } },
          `container ${container.name}`,
        );
      }
      const run = await running;
      assert.equal(run.code, 0, run.output);
    } finally {
      await repo.remove();
    }
  });

  it('keeps secrets out of the message of a step killed for memory', async () => {
    const repo = await fixtureRepo(
      [
        'inputs:',
        '  - name: token',
        '    type: password',
        'build:',
        '  greedy:',
        '    container:',
        '      image: berth.test/oom',
        '      secretName: deploy-creds',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable
        '      cmds: ["echo using ${token} $DEPLOY_KEY"]',
        '',
      ].join('\n'),
    );
    kube.secrets.put('ci', 'deploy-creds', { DEPLOY_KEY: 'kube-SECRET-value' });
    try {
      const run = await berth(
        ['run', '--runtime', 'kubernetes', '-n', 'ci', '-i', 'token=hunter2-SECRET-value'],
        repo.dir,
        home.dir,
        { KUBECONFIG: kube.kubeconfigPath },
      );
      assert.equal(run.code, 1, run.output);
      assert.doesNotMatch(run.output, /hunter2/, 'a password input is masked everywhere');
      // The value of a Kubernetes Secret the step mounts is unknown to Berth: the step's
      // own log shows what it printed, but no log text becomes the step's message.
      const verdict = run.output.split('\n').filter((line) => !line.startsWith('[build/greedy] using'));
      assert.match(verdict.join('\n'), /OOMKilled/);
      assert.doesNotMatch(verdict.join('\n'), /kube-SECRET/);
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

  it('runs in the namespace of the kubeconfig context when neither -n nor BERTH_NAMESPACE is given', async () => {
    const repo = await fixtureRepo('build:\n  x:\n    container:\n      image: a\n      cmds: [echo hi]\n');
    const kubeconfig = join(home.dir, 'team-a.kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(kube.url, { context: 'ci', namespace: 'team-a' }));
    try {
      const run = await berth(['run', '--runtime', 'kubernetes'], repo.dir, home.dir, {
        KUBECONFIG: kubeconfig,
      });
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /kubernetes runtime, namespace: team-a \(from the kubeconfig context "ci"\)/);
      assert.match(run.output, /^\[build\/x\] hi$/m);
      const creates = kube.requests.filter((r) => r.verb === 'create' && r.resource === 'pods');
      assert.ok(
        creates.some((r) => r.namespace === 'team-a'),
        'a pod was created in team-a',
      );
      assert.deepEqual(new Set(creates.map((r) => r.namespace)), new Set(['ci', 'team-a']));
    } finally {
      await repo.remove();
    }
  });
});

describe('berth plan: the namespace berth run would use, and why', () => {
  const header = async (args: string[], env: Record<string, string>, namespace: string | null = 'team-a') => {
    const repo = await fixtureRepo('build:\n  x:\n    container:\n      image: a\n      cmds: [true]\n');
    const kubeconfig = join(repo.dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(kube.url, { context: 'ci', namespace }));
    try {
      const plan = await berth(['plan', ...args], repo.dir, home.dir, { KUBECONFIG: kubeconfig, ...env });
      assert.equal(plan.code, 0, plan.output);
      return plan.output
        .split('\n')
        .find((line) => line.includes('runtime:'))
        ?.trim();
    } finally {
      await repo.remove();
    }
  };

  it('follows --namespace, then BERTH_NAMESPACE, then the kubeconfig context, then default', async () => {
    assert.equal(
      await header([], {}),
      'runtime:     kubernetes, namespace: team-a (from the kubeconfig context "ci")',
      'a found kubeconfig makes kubernetes the default runtime',
    );
    assert.equal(
      await header(['--runtime', 'kubernetes'], { BERTH_NAMESPACE: 'ci' }),
      'runtime:     kubernetes, namespace: ci (from BERTH_NAMESPACE)',
    );
    assert.equal(
      await header(['-n', 'other'], { BERTH_NAMESPACE: 'ci' }),
      'runtime:     kubernetes, namespace: other (from --namespace)',
    );
    assert.match(
      (await header([], {}, null)) ?? '',
      /^runtime: +kubernetes, namespace: default \(the default: /,
    );
    assert.equal(await header(['--runtime', 'local'], {}), 'runtime:     local');
  });
});
