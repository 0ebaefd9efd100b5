// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${var} here is pipeline syntax, not a JS template
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlannedStep } from '../../src/pipeline/index.ts';
import { onlyStep } from './helpers.ts';

/** A fake tool: logs its argv as `tool [arg][arg]…` (stdin too, if any) and fakes `helm package`. */
const FAKE_TOOL = `#!/bin/sh
tool=$(basename "$0")
{ printf '%s' "$tool"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "$CALLS"
if [ "$tool" = helm ] && [ "$1" = package ]; then
  while [ $# -gt 0 ]; do [ "$1" = --destination ] && touch "$2/demo-0.1.0.tgz"; shift; done
fi
if [ "$tool" = helm ] && [ "$1" = plugin ]; then printf '%s\\n' $PLUGINS; fi
if [ "$tool" = helm ] && [ "$1" = registry ]; then echo "stdin: $(cat)" >> "$CALLS"; fi
if [ "$tool" = dotnet ] && [ "$1" = pack ]; then
  while [ $# -gt 0 ]; do [ "$1" = --output ] && touch "$2/Lib.1.2.3.nupkg"; shift; done
fi
exit 0
`;

describe('generated scripts, run against recording fake tools', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-scripts-'));
    await mkdir(join(dir, 'bin'));
    for (const tool of ['helm', 'curl', 'dotnet']) {
      await writeFile(join(dir, 'bin', tool), FAKE_TOOL);
      await chmod(join(dir, 'bin', tool), 0o755);
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs a step's sh script with the fakes first on PATH and the auth secret mapped into `dir`. */
  async function run(
    step: PlannedStep,
    options: { credentials?: boolean; plugins?: string } = {},
  ): Promise<string[]> {
    const calls = join(dir, `calls-${Math.random()}`);
    const auth = join(dir, 'auth');
    await rm(auth, { recursive: true, force: true });
    if (options.credentials) {
      await mkdir(auth);
      await writeFile(join(auth, 'username'), 'bot');
      await writeFile(join(auth, 'password'), 'pa ss');
    }
    assert.deepEqual(step.command.slice(0, 2), ['/bin/sh', '-c']);
    const script = (step.command[2] ?? '').replaceAll('/var/run/berth/helm-repo', auth);
    const env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, CALLS: calls, PLUGINS: options.plugins ?? '' };
    await new Promise<void>((resolve, reject) => {
      execFile('/bin/sh', ['-c', script], { cwd: dir, env }, (error, _stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
      );
    });
    return (await readFile(calls, 'utf8')).trim().split('\n');
  }

  const helmStep = (repo: string, extra = '') =>
    onlyStep(
      `d:\n  s:\n    helm:\n      chart: shop\n      name: shop\n      namespace: "it's"\n      repo: ${repo}\n      set: {msg: "a b"}\n${extra}`,
    ).step;

  it('helm: upgrade --install with every argument intact, credentials from the secret', async () => {
    const step = helmStep('https://charts.test', '      secret: creds\n');
    assert.deepEqual(await run(step), [
      "helm [upgrade] [--install] [shop] [shop] [--namespace] [it's] [--repo] [https://charts.test] [--set] [msg=a b]",
    ]);
    assert.deepEqual(await run(step, { credentials: true }), [
      "helm [upgrade] [--install] [shop] [shop] [--namespace] [it's] [--repo] [https://charts.test] [--set] [msg=a b] [--username] [bot] [--password] [pa ss]",
    ]);
  });

  it('helm: an OCI chart logs in to the registry first, password on stdin', async () => {
    const step = helmStep('oci://ghcr.io/acme', '      secret: creds\n');
    assert.deepEqual(await run(step, { credentials: true }), [
      'helm [registry] [login] [ghcr.io] [--username] [bot] [--password-stdin]',
      'stdin: pa ss',
      "helm [upgrade] [--install] [shop] [oci://ghcr.io/acme/shop] [--namespace] [it's] [--set] [msg=a b]",
    ]);
  });

  it('helm-package: ChartMuseum upload with curl, or cm-push when the plugin is there', async () => {
    const step = onlyStep(
      'p:\n  c:\n    helm-package: {version: 1.0.0, destination: "https://charts.test/acme", secret: s}\n',
    ).step;
    const [pkg, plugins, upload] = await run(step, { credentials: true });
    assert.match(pkg ?? '', /^helm \[package\] \[\.\] \[--destination\] \[.+\] \[--version\] \[1\.0\.0\]$/);
    assert.equal(plugins, 'helm [plugin] [list]');
    assert.match(
      upload ?? '',
      /^curl \[-fsS\] \[--data-binary\] \[@.+\/demo-0\.1\.0\.tgz\] \[-u\] \[bot:pa ss\] \[https:\/\/charts\.test\/acme\/api\/charts\]$/,
    );
    const anonymous = await run(step);
    assert.match(
      anonymous.at(-1) ?? '',
      /^curl \[-fsS\] \[--data-binary\] \[@.+\] \[https:\/\/charts\.test\/acme\/api\/charts\]$/,
    );
    const plugin = await run(step, { credentials: true, plugins: 'cm-push 0.10.4' });
    assert.match(
      plugin.at(-1) ?? '',
      /^helm \[cm-push\] \[.+\.tgz\] \[https:\/\/charts\.test\/acme\] \[--username\] \[bot\] \[--password\] \[pa ss\]$/,
    );
  });

  it('helm-package: OCI destinations log in and helm push', async () => {
    const step = onlyStep(
      'p:\n  c:\n    helm-package: {destination: "oci://ghcr.io/acme/charts", secret: s}\n',
    ).step;
    const calls = await run(step, { credentials: true });
    assert.deepEqual(calls.slice(1, 3), [
      'helm [registry] [login] [ghcr.io] [--username] [bot] [--password-stdin]',
      'stdin: pa ss',
    ]);
    assert.match(
      calls[3] ?? '',
      /^helm \[push\] \[.+\/demo-0\.1\.0\.tgz\] \[oci:\/\/ghcr\.io\/acme\/charts\]$/,
    );
  });

  it('nuget-package: packs with the version, pushes what it packed', async () => {
    const text =
      'p:\n  lib:\n    nuget-package: {version: 1.2.3, project-path: src/Lib.csproj, repo: "https://nuget.test/v3/index.json"}\n';
    const calls = await run(onlyStep(text).step);
    assert.match(
      calls[0] ?? '',
      /^dotnet \[pack\] \[src\/Lib\.csproj\] \[--configuration\] \[Release\] \[--output\] \[.+\] \[-p:PackageVersion=1\.2\.3\]$/,
    );
    assert.match(
      calls[1] ?? '',
      /^dotnet \[nuget\] \[push\] \[.+\/Lib\.1\.2\.3\.nupkg\] \[--source\] \[https:\/\/nuget\.test\/v3\/index\.json\] \[--api-key\] \[\]$/,
    );
  });
});
