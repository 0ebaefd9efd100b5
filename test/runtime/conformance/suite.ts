import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test as nodeTest, type TestContext } from 'node:test';
import { runBuild } from '../../../src/engine/index.ts';
import type { BuildResult, StepResult } from '../../../src/engine/types.ts';
import type { BuildPlan, PlannedStep } from '../../../src/pipeline/types.ts';
import type { Runtime } from '../../../src/runtime/types.ts';
import { memorySink } from '../../support/memory-sink.ts';
import { plan, shellStep } from '../../support/plan.ts';

/**
 * Things a runtime may be unable to do. A subject lists the ones it cannot do with the
 * reason, and the suite reports those cases as skipped under that name and reason.
 */
export type Capability =
  /** Runs the step's image, so a missing image is an `image` error. */
  | 'images'
  /** Runs the step as its image's user (a non-root image user can still write its source). */
  | 'image-user'
  /** Tells a step's stderr lines from its stdout lines. */
  | 'separate-streams';

/** One runtime under test. */
export interface Subject {
  name: string;
  cannot: Partial<Record<Capability, string>>;
  /** Why this runtime cannot be tested here at all (every case is skipped saying so), or null. */
  unavailable: string | null;
  /** A runtime for `instance`; the suite builds with this instance label. */
  start(t: TestContext, instance: string): Promise<RuntimeUnderTest>;
}

export interface RuntimeUnderTest {
  runtime: Runtime;
  /** Image of ordinary steps (has /bin/sh, echo, sleep, cat, id). */
  image: string;
  /** An image that does not exist (with `images`). */
  missingImage: string;
  /** An image whose user is 1000, not root (with `image-user`). */
  userImage: string;
  /** What the runtime left behind for `instance` (containers, pods, copies): should be none. */
  leftovers(): Promise<string[]>;
}

type TestFn = (t: TestContext) => Promise<void>;

const SECRET = 'conformance-s3cret-value';

let builds = 0;

/** Runs the whole Runtime contract against `subject`. */
export function conformance(subject: Subject): void {
  describe(`Runtime conformance: ${subject.name}`, () => {
    const unable = (capability: Capability) => {
      if (subject.unavailable) return `${subject.name} unavailable: ${subject.unavailable}`;
      const why = subject.cannot[capability];
      return why ? `${subject.name} cannot: ${capability} (${why})` : false;
    };
    const test = (name: string, ...rest: [TestFn] | [{ skip: string | false }, TestFn]) => {
      const [options, fn] = rest.length === 1 ? [{}, rest[0]] : rest;
      const skip = subject.unavailable ? `${subject.name} unavailable: ${subject.unavailable}` : false;
      return nodeTest(name, { skip, ...options, ...(skip ? { skip } : {}) }, fn);
    };

    test("every line a step prints reaches the log in order, and exit codes are the step's", async (t) => {
      const env = await setUp(t, subject);
      const ok = [step(env, 'build', 'ok', 'echo one; echo two; echo three')];
      const bad = [step(env, 'check', 'bad', 'echo failing; exit 3')];
      const { result, sink } = await env.build(
        plan([
          { name: 'build', runsIf: 'success', steps: ok },
          { name: 'check', runsIf: 'success', steps: bad },
        ]),
      );
      assert.equal(stepOf(result, 'ok').status, 'success');
      assert.equal(stepOf(result, 'ok').exitCode, 0);
      assert.deepEqual(linesOf(sink, 'ok'), ['one', 'two', 'three']);
      assert.equal(stepOf(result, 'bad').status, 'failed');
      assert.equal(stepOf(result, 'bad').exitCode, 3);
      assert.deepEqual(linesOf(sink, 'bad'), ['failing']);
      assert.deepEqual(await env.leftovers(), []);
    });

    test('stderr lines are told from stdout lines, each stream in order', {
      skip: unable('separate-streams'),
    }, async (t) => {
      const env = await setUp(t, subject);
      const ok = [step(env, 'build', 'ok', 'echo one; echo two >&2; echo three; echo four >&2')];
      const { result, sink } = await env.build(plan([{ name: 'build', runsIf: 'success', steps: ok }]));
      assert.equal(stepOf(result, 'ok').status, 'success');
      assert.deepEqual(linesOf(sink, 'ok', 'stdout'), ['one', 'three']);
      assert.deepEqual(linesOf(sink, 'ok', 'stderr'), ['two', 'four']);
    });

    test('steps that exit at once keep every line they printed', async (t) => {
      const env = await setUp(t, subject);
      const steps = Array.from({ length: 8 }, (_, i) =>
        step(env, 'burst', `s${i}`, `echo line-${i}-a; echo line-${i}-b`),
      );
      const { result, sink } = await env.build(plan([{ name: 'burst', runsIf: 'success', steps }]));
      for (let i = 0; i < 8; i++) {
        assert.equal(stepOf(result, `s${i}`).status, 'success');
        assert.deepEqual(linesOf(sink, `s${i}`, 'stdout'), [`line-${i}-a`, `line-${i}-b`]);
      }
      assert.deepEqual(await env.leftovers(), []);
    });

    test('a step sees the source at its repo folder, and what it writes stays its own', async (t) => {
      const env = await setUp(t, subject);
      const steps = [
        step(env, 'src', 'read', 'cat hello.txt && echo changed > hello.txt && echo new > made.txt'),
      ];
      const later = [step(env, 'after', 'again', 'cat hello.txt; test ! -e made.txt && echo no-made')];
      const { result, sink } = await env.build(
        plan([
          { name: 'src', runsIf: 'success', steps },
          { name: 'after', runsIf: 'success', steps: later },
        ]),
      );
      assert.equal(stepOf(result, 'read').status, 'success');
      assert.deepEqual(linesOf(sink, 'read', 'stdout'), ['hello from the repo']);
      assert.deepEqual(linesOf(sink, 'again', 'stdout'), ['hello from the repo', 'no-made']);
      assert.equal(await readFile(join(env.sourceDir, 'hello.txt'), 'utf8'), 'hello from the repo\n');
    });

    test('a helm/kubectl-style step gets only its listed files, with variables substituted', async (t) => {
      const env = await setUp(t, subject);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a pipeline variable in a listed file
      await writeFile(join(env.sourceDir, 'values.yaml'), 'name: ${NAME}\n');
      const source = { kind: 'files' as const, files: [{ path: 'values.yaml', substitute: true }] };
      const script = 'cat values.yaml; test ! -e hello.txt && echo only-listed';
      const steps = [step(env, 'deploy', 'apply', script, { type: 'kubectl', source })];
      const { result, sink } = await env.build(
        plan([{ name: 'deploy', runsIf: 'success', steps }], { variables: { NAME: 'berth' } }),
      );
      assert.equal(stepOf(result, 'apply').status, 'success', linesOf(sink, 'apply').join('\n'));
      assert.deepEqual(linesOf(sink, 'apply'), ['name: berth', 'only-listed']);
    });

    test('a step past its timeout is stopped and fails as a timeout', async (t) => {
      const env = await setUp(t, subject);
      const steps = [step(env, 'slow', 'sleeper', 'echo started; sleep 60')];
      const { result, sink } = await env.build(plan([{ name: 'slow', runsIf: 'success', steps }]), {
        stepMs: 3000,
      });
      const sleeper = stepOf(result, 'sleeper');
      assert.equal(sleeper.status, 'failed');
      assert.equal(sleeper.reason, 'timeout');
      assert.deepEqual(linesOf(sink, 'sleeper', 'stdout'), ['started']);
      assert.deepEqual(await env.leftovers(), []);
    });

    test('cancelling a build stops its running step and leaves nothing', async (t) => {
      const env = await setUp(t, subject);
      const steps = [step(env, 'slow', 'sleeper', 'echo started; sleep 60')];
      const cancel = new AbortController();
      const { result } = await env.build(
        plan([{ name: 'slow', runsIf: 'success', steps }]),
        {},
        cancel,
        (line) => {
          if (line === 'started') cancel.abort();
        },
      );
      assert.equal(result.status, 'cancelled');
      assert.equal(stepOf(result, 'sleeper').status, 'cancelled');
      assert.deepEqual(await env.leftovers(), []);
    });

    test("a missing image fails its step as an image error with the engine's message", {
      skip: unable('images'),
    }, async (t) => {
      const env = await setUp(t, subject);
      const steps = [step(env, 'pull', 'missing', 'echo never', { image: env.missingImage })];
      const { result, sink } = await env.build(plan([{ name: 'pull', runsIf: 'success', steps }]));
      const missing = stepOf(result, 'missing');
      assert.equal(missing.status, 'error');
      assert.equal(missing.reason, 'image');
      assert.match(
        missing.message ?? '',
        new RegExp(env.missingImage.replace(/[/.:]/g, '.').split(':')[0] ?? ''),
      );
      assert.ok(!linesOf(sink, 'missing', 'stdout').includes('never'));
      assert.deepEqual(await env.leftovers(), []);
    });

    test('a step whose image runs as a non-root user can change its source', {
      skip: unable('image-user'),
    }, async (t) => {
      const env = await setUp(t, subject);
      const script = 'id -u; echo more >> hello.txt && echo new > made.txt && mkdir d && cat hello.txt';
      const steps = [step(env, 'user', 'writer', script, { image: env.userImage })];
      const { result, sink } = await env.build(plan([{ name: 'user', runsIf: 'success', steps }]));
      assert.equal(stepOf(result, 'writer').status, 'success', linesOf(sink, 'writer', 'stderr').join('\n'));
      assert.deepEqual(linesOf(sink, 'writer', 'stdout'), ['1000', 'hello from the repo', 'more']);
    });

    test("the build's secrets are masked in every line a step prints", async (t) => {
      const env = await setUp(t, subject);
      const steps = [step(env, 'secret', 'leak', `echo "token=${SECRET}"; echo ${SECRET} >&2`)];
      const { result, sink } = await env.build(
        plan([{ name: 'secret', runsIf: 'success', steps }], { secrets: [SECRET] }),
      );
      assert.equal(stepOf(result, 'leak').status, 'success');
      const all = sink.entries.map((entry) => entry.text).join('\n');
      assert.ok(!all.includes(SECRET), all);
      const printed = linesOf(sink, 'leak');
      assert.equal(printed.length, 2);
      assert.ok(
        printed.some((line) => /^token=\S+$/.test(line)),
        printed.join('\n'),
      );
    });
  });
}

interface Env extends RuntimeUnderTest {
  sourceDir: string;
  build(
    plan: BuildPlan,
    timeouts?: { stepMs?: number },
    cancel?: AbortController,
    onLine?: (text: string) => void,
  ): Promise<{ result: BuildResult; sink: ReturnType<typeof memorySink> }>;
}

async function setUp(t: TestContext, subject: Subject): Promise<Env> {
  const instance = `conf-${process.pid}-${++builds}`;
  const under = await subject.start(t, instance);
  const sourceDir = await mkdtemp(join(tmpdir(), 'berth-conformance-'));
  t.after(() => rm(sourceDir, { recursive: true, force: true }));
  await writeFile(join(sourceDir, 'hello.txt'), 'hello from the repo\n');
  return {
    ...under,
    sourceDir,
    async build(buildPlan, timeouts = {}, cancel = new AbortController(), onLine) {
      const sink = memorySink();
      const watched = onLine
        ? {
            ...sink,
            append: (entry: Parameters<typeof sink.append>[0]) => {
              sink.append(entry);
              onLine(entry.text);
            },
          }
        : sink;
      const result = await runBuild({
        runtime: under.runtime,
        build: {
          id: `b${builds}`,
          instance,
          plan: buildPlan,
          source: { dir: sourceDir, respectGitignore: false },
        },
        sink: watched,
        signal: cancel.signal,
        timeouts: { stepMs: timeouts.stepMs ?? 60_000, buildMs: 120_000, cleanupMs: 20_000 },
        logCapBytes: 1024 * 1024,
      });
      return { result, sink };
    },
  };
}

function step(
  env: RuntimeUnderTest,
  stage: string,
  name: string,
  script: string,
  extra: Partial<PlannedStep> = {},
) {
  return shellStep(stage, name, script, { image: env.image, ...extra });
}

function stepOf(result: BuildResult, name: string): StepResult {
  const found = result.stages.flatMap((stage) => stage.steps).find((s) => s.name === name);
  assert.ok(found, `no step ${name}`);
  return found;
}

/** A step's lines of `stream`, or of both streams (never Berth's own `system` lines). */
function linesOf(sink: ReturnType<typeof memorySink>, step: string, stream?: 'stdout' | 'stderr'): string[] {
  return sink.entries
    .filter(
      (entry) => entry.step === step && entry.stream !== 'system' && (!stream || entry.stream === stream),
    )
    .map((entry) => entry.text);
}
