// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write literal ${var} text
// Issue 15: variables that double at each level (or nest without end) cannot make Berth
// build strings without bound: lint, plan, run and the bot stop with a positioned error.
// The CLI runs with a 64 MiB heap: before the limits it died of a RangeError or a stack overflow.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { App } from '../../src/app/start.ts';
import { endedBuild } from '../support/api-client.ts';
import { berth } from '../support/cli.ts';
import { tempDir } from '../support/engine.ts';
import { startRedis } from '../support/redis.ts';
import { startServe } from '../support/serve.ts';

const git = promisify(execFile);
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=64' };
/** Enough levels for a 66 KB file, as in the report: 2^2000 characters if nothing stopped it. */
const LEVELS = 2000;

/** `v0: 16 characters`, then `vN: ${vN-1}${vN-1}` at `indent`. */
const doubling = (indent: string) => [
  `${indent}v0: "0123456789abcdef"`,
  ...Array.from({ length: LEVELS }, (_, i) => `${indent}v${i + 1}: "\${v${i}}\${v${i}}"`),
];
/** `d0: x`, then `dN: ${dN-1}` at `indent`: nesting with no growth. */
const nesting = (indent: string) => [
  `${indent}d0: x`,
  ...Array.from({ length: 5000 }, (_, i) => `${indent}d${i + 1}: "\${d${i}}"`),
];

const step = (cmd: string) => [
  'build:',
  '  s:',
  '    container:',
  '      image: alpine',
  '      cmds:',
  `        - ${cmd}`,
];

const cases: Record<string, { files: Record<string, string[]>; args: string[] }> = {
  'environment variables': {
    files: {
      '.wharf-ci.yml': ['environments:', '  prod:', ...doubling('    '), ...step(`echo \${v${LEVELS}}`)],
    },
    args: ['-e', 'prod'],
  },
  'input defaults': {
    files: {
      '.wharf-ci.yml': [
        'inputs:',
        ...doubling('').flatMap((line) => {
          const [name, value] = line.split(': ');
          return [`  - name: ${name}`, '    type: string', `    default: ${value}`];
        }),
        ...step(`echo \${v${LEVELS}}`),
      ],
    },
    args: [],
  },
  '.wharf-vars.yml': {
    files: { '.wharf-vars.yml': ['vars:', ...doubling('  ')], '.wharf-ci.yml': step(`echo \${v${LEVELS}}`) },
    args: [],
  },
  'unused variables': {
    files: { '.wharf-ci.yml': ['environments:', '  prod:', ...doubling('    '), ...step('echo hi')] },
    args: ['-e', 'prod'],
  },
};

async function folderWith(files: Record<string, string[]>) {
  const folder = await tempDir('berth-bomb-');
  for (const [name, lines] of Object.entries(files))
    await writeFile(join(folder.dir, name), `${lines.join('\n')}\n`);
  return folder;
}

let home: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  home = await tempDir('berth-home-');
});
after(() => home.remove());

/** `.wharf-ci.yml:LINE:COL: error: the value of "v16" … grows past 1 MiB per value …` */
const POSITIONED = /^\.wharf-ci\.yml:\d+:\d+: error: the value of "v17" .*grows past 1 MiB per value/m;

describe('variable expansion bombs', () => {
  for (const [name, { files, args }] of Object.entries(cases)) {
    it(`${name}: lint, plan and run stop with a positioned error in a 64 MiB heap`, async () => {
      const folder = await folderWith(files);
      try {
        const lint = await berth(['lint'], folder.dir, home.dir, SMALL_HEAP);
        assert.equal(lint.code, 1, lint.output);
        assert.match(lint.output, POSITIONED);
        const plan = await berth(['plan', ...args], folder.dir, home.dir, SMALL_HEAP);
        assert.equal(plan.code, 1, plan.output);
        assert.match(plan.output, POSITIONED);
        const run = await berth(['run', ...args], folder.dir, home.dir, SMALL_HEAP);
        assert.equal(run.code, 2, run.output);
        assert.match(run.output, POSITIONED);
        assert.match(run.output, /nothing was run/);
      } finally {
        await folder.remove();
      }
    });
  }

  it('variables nested thousands deep stop at the depth limit', async () => {
    const folder = await folderWith({
      '.wharf-ci.yml': ['environments:', '  prod:', ...nesting('    '), ...step('echo ${d5000}')],
    });
    try {
      const plan = await berth(['plan', '-e', 'prod'], folder.dir, home.dir, SMALL_HEAP);
      assert.equal(plan.code, 1, plan.output);
      assert.match(plan.output, /^\.wharf-ci\.yml:\d+:\d+: error: variables nest more than 64 levels deep/m);
    } finally {
      await folder.remove();
    }
  });

  it('WHARF_VAR_ variables are bounded the same way', async () => {
    const folder = await folderWith({ '.wharf-ci.yml': step('echo ${v40}') });
    const env: Record<string, string> = { ...SMALL_HEAP, WHARF_VAR_v0: '0123456789abcdef' };
    for (let i = 1; i <= 40; i++) env[`WHARF_VAR_v${i}`] = `\${v${i - 1}}\${v${i - 1}}`;
    try {
      const plan = await berth(['plan'], folder.dir, home.dir, env);
      assert.equal(plan.code, 1, plan.output);
      assert.match(plan.output, /error: the value of "v17" \(WHARF_VAR_v17\) grows past 1 MiB per value/);
    } finally {
      await folder.remove();
    }
  });

  it('a listed file that grows past 16 MiB with its variables is refused', async () => {
    const vars = ['environments:', '  prod:', ...doubling('    ').slice(0, 17)];
    const folder = await folderWith({
      '.wharf-ci.yml': [...vars, 'deploy:', '  apply:', '    kubectl:', '      file: big.yaml'],
      'big.yaml': Array.from({ length: 20 }, () => 'x: ${v16}'),
    });
    const bin = join(folder.dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'kubectl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    try {
      const run = await berth(['run', '-e', 'prod', '--no-gitignore'], folder.dir, home.dir, {
        ...SMALL_HEAP,
        PATH: `${bin}:${process.env.PATH}`,
      });
      assert.equal(run.code, 1, run.output);
      assert.match(run.output, /file "big\.yaml" grows past 16 MiB once its variables are substituted/);
    } finally {
      await folder.remove();
    }
  });

  it('the bot fails the build as a configuration error, naming the position', async () => {
    const folder = await folderWith(cases['environment variables']?.files ?? {});
    await writeFile(
      join(folder.dir, '.wharf-ci.yml'),
      ['environments:', '  prod:', ...doubling('    '), ...step('echo ${v2000}')]
        .join('\n')
        .replace('environments:\n  prod:\n', 'environments:\n  prod:\n'),
    );
    await git('git', ['init', '-q', '-b', 'main', folder.dir]);
    const redis = await startRedis();
    const token = 'bomb-test-token-0123456789';
    let app: App | undefined;
    try {
      app = await startServe({
        REDIS_URL: redis.url,
        BERTH_API_TOKEN: token,
        BERTH_LOCAL_SOURCES: folder.dir,
        BERTH_RUNTIME: 'local',
        BERTH_SHUTDOWN_TIMEOUT_SECONDS: '2',
      });
      const res = await fetch(`${app.url}/api/builds`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ source: `local:${folder.dir}`, ref: 'main', environment: 'prod' }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = (await res.json()) as { id: string };
      const ended = await endedBuild(app.url, id, { token });
      assert.equal(ended.reason, 'config', JSON.stringify(ended));
      assert.match(ended.message ?? '', /\.wharf-ci\.yml:\d+:\d+: error: the value of "v17"/);
    } finally {
      await app?.close();
      await redis.stop();
      await folder.remove();
    }
  });
});
