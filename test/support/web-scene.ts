// A believable set of builds for page tests, screenshots and the web bench.
import type { StageRecord } from '../../src/builds/types.ts';
import { type FixtureBuilds, makeRecord } from './web-fixture.ts';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const MIN = 60_000;

function step(
  name: string,
  status: StageRecord['steps'][number]['status'],
  startMs: number,
  endMs: number | null,
) {
  const failed = status === 'failed';
  return {
    name,
    status,
    exitCode: failed ? 2 : status === 'success' ? 0 : null,
    reason: failed ? ('user' as const) : null,
    message: failed ? 'npm test exited with 2' : null,
    startedAt: startMs < 0 ? null : ago(startMs),
    finishedAt: endMs === null ? null : ago(endMs),
  };
}

/** Fills `builds` with a finished, a failed (ANSI log), a running and a queued build; returns their ids. */
export function seedScene(builds: FixtureBuilds) {
  builds.put(
    makeRecord({
      id: 'b1',
      buildRef: 41,
      status: 'success',
      createdAt: ago(50 * MIN),
      startedAt: ago(49 * MIN),
      finishedAt: ago(45 * MIN),
      request: {
        forge: 'github',
        repo: 'acme/widgets',
        ref: 'main',
        refType: 'branch',
        trigger: 'push',
        inputs: {},
        rerun: false,
        sha: '9fceb02d0ae598e95dc970b74767f19372d61af8',
        actor: 'octocat',
      },
      stages: [{ name: 'build', status: 'success', steps: [step('compile', 'success', 49 * MIN, 46 * MIN)] }],
    }),
  );
  builds.put(
    makeRecord({
      id: 'b2',
      buildRef: 17,
      status: 'failed',
      reason: 'user',
      message: 'step test/unit failed (exit 2)',
      createdAt: ago(20 * MIN),
      startedAt: ago(19 * MIN),
      finishedAt: ago(14 * MIN),
      secretInputs: ['deployKey'],
      request: {
        forge: 'gitlab',
        repo: 'platform/billing-api',
        ref: 'feature/invoices',
        refType: 'branch',
        trigger: 'change',
        change: 128,
        inputs: { deployKey: 'hunter2-very-secret', region: 'eu-west-1' },
        rerun: false,
        environment: 'staging',
        actor: 'mira',
        sha: '1e5c7d2a9b3f4e6d8c0a1b2c3d4e5f6a7b8c9d0e',
        commit: { subject: 'Invoices: round half to even' },
      },
      stages: [
        { name: 'build', status: 'success', steps: [step('image', 'success', 19 * MIN, 17 * MIN)] },
        {
          name: 'test',
          status: 'failed',
          steps: [step('unit', 'failed', 17 * MIN, 14 * MIN), step('lint', 'success', 17 * MIN, 16 * MIN)],
        },
        { name: 'deploy', status: 'skipped', steps: [step('helm', 'skipped', -1, null)] },
      ],
    }),
  );
  const unit = [
    '\x1b[1m> billing-api@2.3.0 test\x1b[0m',
    '\x1b[90m> node --test\x1b[0m',
    '\x1b[32m✔\x1b[0m invoices › totals add up \x1b[90m(3.1ms)\x1b[0m',
    '\x1b[32m✔\x1b[0m invoices › currency is kept \x1b[90m(0.8ms)\x1b[0m',
    '\x1b[31m✖ invoices › rounds half to even\x1b[0m \x1b[90m(1.2ms)\x1b[0m',
    '  \x1b[31mAssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\x1b[0m',
    '  \x1b[32m+ actual\x1b[0m \x1b[31m- expected\x1b[0m',
    '  \x1b[32m+ 10.25\x1b[0m',
    '  \x1b[31m- 10.24\x1b[0m',
    '      at TestContext.<anonymous> (test/invoices.test.ts:42:12)',
    '<script>alert("not html")</script>',
    '\x1b[1;41;97m FAIL \x1b[0m 1 of 3 tests failed',
  ];
  for (const text of unit) builds.log('b2', { stage: 'test', step: 'unit', stream: 'stdout', text });
  builds.log('b2', { stage: 'test', step: 'unit', stream: 'system', text: 'step failed: exit code 2' });
  builds.log('b2', {
    stage: 'test',
    step: 'lint',
    stream: 'stdout',
    text: '\x1b[32mAll files pass linting.\x1b[0m',
  });
  builds.log('b2', { stage: 'build', step: 'image', stream: 'stdout', text: 'Successfully built 3f2a9c1d' });
  builds.put(
    makeRecord({
      id: 'b3',
      buildRef: 42,
      status: 'running',
      createdAt: ago(3 * MIN),
      startedAt: ago(2 * MIN),
      request: {
        forge: 'github',
        repo: 'acme/widgets',
        ref: 'fix/overflow',
        refType: 'branch',
        trigger: 'change',
        change: 311,
        inputs: {},
        rerun: false,
        sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
        actor: 'octocat',
      },
      stages: [{ name: 'build', status: 'running', steps: [step('compile', 'running', 2 * MIN, null)] }],
    }),
  );
  builds.log('b3', {
    stage: 'build',
    step: 'compile',
    stream: 'stdout',
    text: '\x1b[36mCompiling\x1b[0m widgets v0.4.1',
  });
  builds.put(
    makeRecord({
      id: 'b4',
      buildRef: 7,
      status: 'queued',
      createdAt: ago(10_000),
      request: {
        forge: 'github',
        repo: 'acme/docs',
        ref: 'v1.2.0',
        refType: 'tag',
        trigger: 'tag',
        inputs: {},
        rerun: false,
        sha: 'de9f2c7fd25e1b3afad3e85a0bd17d9b100db4b3',
      },
    }),
  );
  return { success: 'b1', failed: 'b2', running: 'b3', queued: 'b4' };
}

/** A finished build whose one step wrote `lines` lines (some coloured). */
export function seedBigLog(builds: FixtureBuilds, id: string, lines: number): void {
  builds.put(
    makeRecord({
      id,
      buildRef: 99,
      status: 'success',
      createdAt: ago(5 * MIN),
      startedAt: ago(5 * MIN),
      finishedAt: ago(MIN),
      stages: [{ name: 'build', status: 'success', steps: [step('noisy', 'success', 5 * MIN, MIN)] }],
    }),
  );
  for (let i = 1; i <= lines; i++) {
    const text =
      i % 10 === 0 ? `\x1b[33mline ${i}\x1b[0m checkpoint` : `line ${i} lorem ipsum dolor sit amet`;
    builds.log(id, { stage: 'build', step: 'noisy', stream: 'stdout', text });
  }
}
