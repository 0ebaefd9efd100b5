import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { Logger } from 'pino';
import type { StepOutput } from '../../logs/types.ts';
import type { ReasonClass } from '../../vocab/index.ts';
import { settlesWithin } from '../../within.ts';
import { backoffMs, sleep } from '../retry.ts';
import { TRANSIENT_PULL } from '../transient-pull.ts';
import type { StepOutcome } from '../types.ts';
import type { BuildEvents, ContainerEvent } from './build-events.ts';
import { engineMessage, statusOf } from './engine-api.ts';
import { pullImage as pull } from './pull.ts';

/** What a step run needs from its session. */
export interface StepRunContext {
  docker: Dockerode;
  events: BuildEvents;
  logger: Logger;
  /** Registry credentials for an image, or null. */
  pullAuth(image: string): Promise<Dockerode.AuthConfig | null>;
  /** Upper bound on waiting for a finished container's output to end. */
  logGraceMs: number;
  /** Seconds between the stop signal and SIGKILL when a step is stopped. */
  stopGraceSeconds: number;
  /** Called once per engine request. */
  count(): void;
  /** The container exists (from now on the session must remove it). */
  created(id: string): void;
  /** Removes the container (tracked by the session, so cleanup can wait for it). */
  remove(id: string): Promise<void>;
}

/** What goes into the container before it starts: the source, and the step's secret files. */
export interface StepPayload {
  archives: Buffer[];
}

const MESSAGES = {
  imageFormat: /invalid reference format|repository name must|invalid tag|could not parse reference/i,
};

type Made =
  | { id: string }
  | { problem: { reason: ReasonClass; message: string; retryable?: boolean } | null };

/**
 * Runs one step as one container: create (pulling the image when the engine has
 * none, its progress in the log), put the source in, attach, start; the exit comes
 * from the build's event stream and its code from the engine; then remove it. Stopping
 * (`signal`) asks the engine to stop it with a grace period (then it kills), and removes it.
 */
export async function runStepContainer(
  context: StepRunContext,
  spec: ContainerCreateOptions & { name: string; Image: string },
  payload: StepPayload,
  output: StepOutput,
  signal: AbortSignal,
): Promise<StepOutcome> {
  const log = context.logger.child({ container: spec.name });
  if (signal.aborted) return { status: 'cancelled', message: 'stopped before it started' };
  const made = await createContainer(context, spec, output, signal);
  if (!('id' in made)) {
    if (made.problem) return { status: 'error', ...made.problem };
    return { status: 'cancelled', message: 'stopped before it started' };
  }
  const { id } = made;
  context.created(id);
  const container = context.docker.getContainer(id);
  const state = watchContainer(context.events, id);
  let attached: { ended: Promise<void>; complete: () => boolean } | null = null;
  try {
    for (const archive of payload.archives) {
      context.count();
      await container.putArchive(archive, { path: '/' });
    }
    context.count();
    const stream = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
    })) as NodeJS.ReadableStream;
    attached = demux(context.docker, stream, output);
    if (signal.aborted) throw signal.reason;
    context.count();
    await container.start();
  } catch (error) {
    state.stop();
    if (signal.aborted) {
      await context.remove(id);
      return { status: 'cancelled', message: 'stopped before it started' };
    }
    void context.remove(id);
    const message = engineMessage(error);
    // The engine could not run the command (not found, not executable): as a kubelet StartError.
    const reason: ReasonClass =
      statusOf(error) !== null && /start|exec|executable|not found|permission/i.test(message)
        ? 'user'
        : 'infrastructure';
    return { status: 'error', reason, message: `the container did not start: ${message}` };
  }
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal.aborted) resolve('stopped');
    signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  const first = await Promise.race([
    state.exited,
    stopped,
    fallbackExit(context, container, attached, state),
  ]);
  if (first === 'stopped') {
    await stopContainer(context, container, log);
    await settlesWithin(state.exited, (context.stopGraceSeconds + 5) * 1000);
    await settlesWithin(attached.ended, 2000);
    state.stop();
    await context.remove(id);
    return { status: 'cancelled', message: 'the step was stopped' };
  }
  state.stop();
  if (!(await settlesWithin(attached.ended, context.logGraceMs)) || !attached.complete()) {
    log.warn({ graceMs: context.logGraceMs }, 'removing the container before its output ended');
    output.line(
      'system',
      `[berth] the log may be incomplete: its stream did not end within ${context.logGraceMs} ms of the container's exit`,
    );
  }
  void context.remove(id);
  const { exitCode } = first;
  if (state.oom()) {
    return {
      status: 'error',
      reason: 'user',
      message: 'OOMKilled: the step exceeded its memory limit',
      exitCode,
    };
  }
  if (exitCode === 0) return { status: 'success', exitCode: 0 };
  return { status: 'failed', exitCode, message: `exit code ${exitCode}` };
}

/** Creates the container, pulling its image once if the engine has none. */
async function createContainer(
  context: StepRunContext,
  spec: ContainerCreateOptions & { name: string; Image: string },
  output: StepOutput,
  signal: AbortSignal,
): Promise<Made> {
  let pulled = false;
  let adopted = false;
  for (let attempt = 0; ; attempt++) {
    try {
      context.count();
      const container = await context.docker.createContainer(spec);
      return { id: container.id };
    } catch (error) {
      const status = statusOf(error);
      const message = engineMessage(error);
      if (MESSAGES.imageFormat.test(message)) return { problem: { reason: 'image', message } };
      if (status === 404 && !pulled) {
        pulled = true;
        const problem = await pullImage(context, spec.Image, output, signal);
        if (signal.aborted) return { problem: null };
        if (problem) {
          const message = `cannot pull ${spec.Image}: ${problem}`;
          return {
            problem: {
              reason: 'image',
              message,
              ...(TRANSIENT_PULL.test(problem) ? { retryable: true } : {}),
            },
          };
        }
        continue;
      }
      if (status === 404) return { problem: { reason: 'image', message } };
      if (status === 409 && !adopted) {
        // An earlier attempt of this build (a worker that died) left it: start afresh.
        adopted = true;
        context.count();
        await context.docker
          .getContainer(spec.name)
          .remove({ force: true, v: true })
          .catch(() => {});
        continue;
      }
      const retryable = status === null || status >= 500;
      if (!retryable)
        return { problem: { reason: 'config', message: `the container was rejected: ${message}` } };
      if (attempt >= 4 || signal.aborted) {
        return signal.aborted
          ? { problem: null }
          : { problem: { reason: 'infrastructure', message: `creating the container failed: ${message}` } };
      }
      context.logger.warn({ err: error, attempt }, 'creating a container failed, retrying');
      await sleep(backoffMs(attempt, 200), signal);
    }
  }
}

async function pullImage(context: StepRunContext, image: string, output: StepOutput, signal: AbortSignal) {
  return pull(context.docker, image, await context.pullAuth(image), output, signal, context.count);
}

/** The container's state, from the build's event stream. */
function watchContainer(events: BuildEvents, id: string) {
  let exit: (value: { exitCode: number }) => void = () => {};
  const exited = new Promise<{ exitCode: number }>((resolve) => {
    exit = resolve;
  });
  let oom = false;
  const stop = events.subscribe(id, (event: ContainerEvent) => {
    if (event.action === 'oom') oom = true;
    if (event.action === 'die') exit({ exitCode: event.exitCode ?? -1 });
  });
  return { exited, oom: () => oom, stop, exit };
}

/**
 * Only when the event stream missed the exit (it was down for longer than the engine
 * keeps events): once the output has ended and no `die` came within 3 s, one inspect.
 */
async function fallbackExit(
  context: StepRunContext,
  container: Dockerode.Container,
  attached: { ended: Promise<void> },
  state: { exited: Promise<{ exitCode: number }>; exit: (value: { exitCode: number }) => void },
): Promise<{ exitCode: number }> {
  await attached.ended;
  if (await settlesWithin(state.exited, 3000)) return state.exited;
  context.count();
  const inspected = await container.inspect().catch(() => null);
  const code = inspected?.State?.Running === false ? inspected.State.ExitCode : null;
  if (code !== null && code !== undefined) state.exit({ exitCode: code });
  return state.exited;
}

/** Asks the engine to stop the container (the stop signal, SIGKILL after the grace period). */
async function stopContainer(context: StepRunContext, container: Dockerode.Container, log: Logger) {
  try {
    context.count();
    await container.stop({ t: context.stopGraceSeconds });
  } catch (error) {
    const status = statusOf(error);
    if (status !== 304 && status !== 404) log.warn({ err: error }, 'stopping a container failed');
  }
}

/** Splits the attach stream into stdout and stderr lines of the step log. */
function demux(docker: Dockerode, stream: NodeJS.ReadableStream, output: StepOutput) {
  const sink = (name: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output.write(name, chunk);
        callback();
      },
    });
  docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));
  let complete = false;
  const ended = new Promise<void>((resolve) => {
    stream.on('end', () => {
      complete = true;
      resolve();
    });
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
  return { ended, complete: () => complete };
}
