import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Dockerode from 'dockerode';
import pino from 'pino';
import type { PlannedStep } from '../../../src/pipeline/types.ts';
import { createDockerRuntime, type DockerRuntimeOptions } from '../../../src/runtime/docker/index.ts';
import { startCountingProxy } from '../../support/counting-proxy.ts';
import { containersOf, testEngine } from '../../support/docker-engine.ts';
import { shellStep } from '../../support/plan.ts';
import { collectOutput, planOf } from '../kubernetes/harness.ts';

const engine = await testEngine();
const skip = engine ? false : 'no container engine here (see the message above)';
let builds = 0;

/** A runtime on the test engine (or on `docker`, e.g. through the counting proxy) for a fresh instance. */
async function setUp(t: TestContext, overrides: Partial<DockerRuntimeOptions> = {}) {
  if (!engine) throw new Error('no engine');
  const instance = `dock-${process.pid}-${++builds}`;
  const sourceDir = await mkdtemp(join(tmpdir(), 'berth-docker-src-'));
  t.after(() => rm(sourceDir, { recursive: true, force: true }));
  await writeFile(join(sourceDir, 'hello.txt'), 'hello\n');
  const runtime = createDockerRuntime({
    docker: engine.docker,
    instance,
    settings: { network: null, memoryBytes: null, cpus: null, pidsLimit: 256, stopGraceSeconds: 1 },
    secretsDir: null,
    registry: { configPath: null, pullSecrets: [] },
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  const step = (name: string, script: string, extra: Partial<PlannedStep> = {}) =>
    shellStep('s', name, script, { image: engine.images.root, ...extra });
  const build = (steps: PlannedStep[]) => ({
    id: `b${builds}`,
    instance,
    plan: planOf(steps),
    source: { dir: sourceDir, respectGitignore: false },
  });
  const open = (steps: PlannedStep[], signal = AbortSignal.timeout(60_000)) =>
    runtime.open(build(steps), signal);
  return { instance, step, open, build, runtime, docker: engine.docker };
}

describe('docker runtime', { skip }, () => {
  it('runs each step in a labelled, unprivileged container with the configured limits, and removes it', async (t) => {
    const env = await setUp(t, {
      settings: {
        network: 'none',
        memoryBytes: 64 * 1024 ** 2,
        cpus: 0.5,
        pidsLimit: 99,
        stopGraceSeconds: 1,
      },
    });
    const step = env.step('limited', 'echo ready; sleep 30');
    const session = await env.open([step]);
    const output = collectOutput();
    const stop = new AbortController();
    let inspected: Dockerode.ContainerInspectInfo | null = null;
    output.line = (_stream, text) => {
      if (text !== 'ready') return;
      void (async () => {
        const [info] = await containersOf(env.docker, env.instance);
        inspected = info ? await env.docker.getContainer(info.Id).inspect() : null;
        stop.abort();
      })();
    };
    output.write = (stream, chunk) => {
      for (const text of String(chunk).split('\n').filter(Boolean)) output.line(stream, text);
    };
    const outcome = await session.runStep(step, { output }, stop.signal);
    await session.cleanup();
    assert.equal(outcome.status, 'cancelled');
    const info = inspected as Dockerode.ContainerInspectInfo | null;
    assert.ok(info, 'the running container was found by its instance label');
    assert.equal(info.Config.Labels['berth.dev/stage'], 's');
    assert.equal(info.Config.Labels['berth.dev/step'], 'limited');
    assert.equal(info.Config.Labels['berth.dev/build'], `b${builds}`);
    assert.equal(info.HostConfig.Privileged, false);
    assert.ok(info.HostConfig.SecurityOpt?.some((option: string) => option.startsWith('no-new-privileges')));
    assert.ok(info.HostConfig.CapDrop?.some((cap: string) => /NET_RAW/.test(cap)));
    assert.equal(info.HostConfig.PidsLimit, 99);
    assert.equal(info.HostConfig.Memory, 64 * 1024 ** 2);
    assert.equal(info.HostConfig.NanoCpus, 0.5e9);
    assert.equal(info.HostConfig.NetworkMode, 'none');
    assert.deepEqual(await containersOf(env.docker, env.instance), []);
  });

  it('makes one events request per build and five requests per step: never a polling loop', async (t) => {
    if (!engine) return;
    const proxy = await startCountingProxy(engine.socketPath);
    t.after(() => proxy.close());
    const env = await setUp(t, { docker: new Dockerode({ socketPath: proxy.socketPath }) });
    const steps = ['a', 'b', 'c'].map((name) => env.step(name, `echo ${name}`));
    const session = await env.open(steps);
    for (const step of steps) {
      const output = collectOutput();
      assert.equal((await session.runStep(step, { output }, AbortSignal.timeout(30_000))).status, 'success');
      assert.deepEqual(output.texts('stdout'), [step.name]);
    }
    await session.cleanup();
    assert.deepEqual(proxy.byRoute(), {
      'GET /events': 1,
      'POST /containers/create': 3,
      'PUT /containers/{id}/archive': 3,
      'POST /containers/{id}/attach': 3,
      'POST /containers/{id}/start': 3,
      'DELETE /containers/{id}': 3,
    });
  });

  it("writes the pull to the step log and fails a missing image as an image error with the engine's words", async (t) => {
    if (!engine) return;
    const env = await setUp(t);
    const step = env.step('pull', 'echo never', { image: engine.images.missing });
    const session = await env.open([step]);
    const output = collectOutput();
    const outcome = await session.runStep(step, { output }, AbortSignal.timeout(30_000));
    await session.cleanup();
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.status === 'error' && outcome.reason, 'image');
    assert.match(
      outcome.status === 'error' ? outcome.message : '',
      /cannot pull localhost\/berth-does-not-exist:1: .*localhost/,
    );
    assert.ok(output.texts('system').includes(`pulling image ${engine.images.missing}`));
    const bad = env.step('bad', 'echo never', { image: 'Bad::Tag' });
    const again = await env.open([bad]);
    const badOutcome = await again.runStep(bad, { output: collectOutput() }, AbortSignal.timeout(30_000));
    await again.cleanup();
    assert.equal(badOutcome.status === 'error' && badOutcome.reason, 'image');
    assert.match(badOutcome.status === 'error' ? badOutcome.message : '', /reference format/);
  });

  it('reopens a dropped event stream from its last event: the exit code still comes through, without polling', async (t) => {
    if (!engine) return;
    const proxy = await startCountingProxy(engine.socketPath, { cutEventStreams: 2 });
    t.after(() => proxy.close());
    const env = await setUp(t, { docker: new Dockerode({ socketPath: proxy.socketPath }) });
    const step = env.step('late', 'echo before; sleep 2; echo after; exit 7');
    const session = await env.open([step]);
    const output = collectOutput();
    const outcome = await session.runStep(step, { output }, AbortSignal.timeout(30_000));
    await session.cleanup();
    assert.deepEqual(outcome, { status: 'failed', exitCode: 7, message: 'exit code 7' });
    assert.deepEqual(output.texts('stdout'), ['before', 'after']);
    const routes = proxy.byRoute();
    assert.equal(routes['GET /events'], 3, 'the stream was reopened after each cut');
    assert.equal(routes['GET /containers/{id}/json'], undefined, 'no inspect');
  });

  it('pulls with the registry credentials of the Docker config file, and only for that registry', async (t) => {
    if (!engine) return;
    const proxy = await startCountingProxy(engine.socketPath);
    t.after(() => proxy.close());
    const configDir = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    t.after(() => rm(configDir, { recursive: true, force: true }));
    const auth = Buffer.from('robot:pa55word-xyz').toString('base64');
    await writeFile(
      join(configDir, 'config.json'),
      JSON.stringify({ auths: { 'registry.example:5000': { auth } } }),
    );
    const env = await setUp(t, {
      docker: new Dockerode({ socketPath: proxy.socketPath }),
      registry: { configPath: join(configDir, 'config.json'), pullSecrets: [] },
    });
    const ours = env.step('ours', 'echo never', {
      image: 'registry.example:5000/team/app:1',
      env: { REGISTRY_PASSWORD: 'from-the-step', DOCKER_AUTH_CONFIG: '{"auths":{}}' },
    });
    const theirs = env.step('theirs', 'echo never', { image: 'registry.other:5000/team/app:1' });
    const session = await env.open([ours, theirs]);
    const first = await session.runStep(ours, { output: collectOutput() }, AbortSignal.timeout(30_000));
    const second = await session.runStep(theirs, { output: collectOutput() }, AbortSignal.timeout(30_000));
    await session.cleanup();
    assert.equal(first.status === 'error' && first.reason, 'image');
    assert.equal(second.status === 'error' && second.reason, 'image');
    const pulls = proxy.requests.filter((request) => request.route === '/images/create');
    assert.deepEqual(
      pulls.map((pull) => pull.registryAuth),
      [{ username: 'robot', password: 'pa55word-xyz', serveraddress: 'registry.example:5000' }, null],
    );
  });

  it('gives a step its secrets from the secrets folder (env and files), masked in its log', async (t) => {
    if (!engine) return;
    const secretsDir = await mkdtemp(join(tmpdir(), 'berth-secrets-'));
    t.after(() => rm(secretsDir, { recursive: true, force: true }));
    await mkdir(join(secretsDir, 'registry'));
    await writeFile(join(secretsDir, 'registry', 'token'), 'tok-1234567890');
    await writeFile(join(secretsDir, 'registry', 'config.json'), '{"auths":{}}');
    const env = await setUp(t, { secretsDir });
    const step = env.step('secret', 'echo "token=$TOKEN"; cat /kaniko/.docker/config.json', {
      secretEnv: [{ name: 'TOKEN', secretName: 'registry', key: 'token' }],
      mounts: [
        {
          name: 'docker-config',
          kind: 'secret',
          source: 'registry',
          mountPath: '/kaniko/.docker',
          readOnly: true,
          items: [{ key: 'config.json', path: 'config.json' }],
        },
      ],
    });
    const missing = env.step('missing', 'echo never', {
      secretEnv: [{ name: 'X', secretName: 'nope', key: 'k' }],
    });
    const session = await env.open([step, missing]);
    const output = collectOutput();
    assert.equal((await session.runStep(step, { output }, AbortSignal.timeout(30_000))).status, 'success');
    const refused = await session.runStep(missing, { output: collectOutput() }, AbortSignal.timeout(30_000));
    await session.cleanup();
    // The mounted file is printed whole, and masked: it is a secret too.
    assert.deepEqual(output.texts('stdout'), ['token=***', '***']);
    assert.deepEqual(refused, {
      status: 'error',
      reason: 'config',
      message: 'secret nope key k not found in BERTH_DOCKER_SECRETS_DIR',
    });
  });

  it("refuses a bot build's step a secret not granted to its repository, before any container exists", async (t) => {
    if (!engine) return;
    const secretsDir = await mkdtemp(join(tmpdir(), 'berth-secrets-'));
    t.after(() => rm(secretsDir, { recursive: true, force: true }));
    await mkdir(join(secretsDir, 'deploy-key'));
    await writeFile(join(secretsDir, 'deploy-key', 'key'), 'very-secret-key-value');
    const grants = { 'github:acme/app': ['secret/deploy-key'] };
    const env = await setUp(t, { secretsDir, grants });
    const step = env.step('deploy', 'echo "$KEY"', {
      secretEnv: [{ name: 'KEY', secretName: 'deploy-key', key: 'key' }],
    });
    const run = async (repo: string) => {
      const session = await env.runtime.open(
        { ...env.build([step]), repository: { forge: 'github', repo } },
        AbortSignal.timeout(30_000),
      );
      const output = collectOutput();
      const outcome = await session.runStep(step, { output }, AbortSignal.timeout(30_000));
      await session.cleanup();
      return { outcome, lines: output.texts('stdout') };
    };
    const other = await run('acme/other');
    assert.deepEqual(other.outcome, {
      status: 'error',
      reason: 'config',
      message:
        'secret "deploy-key" is not granted to github:acme/other: list "secret/deploy-key" for it in BERTH_REPO_SECRETS',
    });
    const own = await run('acme/app');
    assert.equal(own.outcome.status, 'success');
    assert.deepEqual(own.lines, ['***']);
  });
});
