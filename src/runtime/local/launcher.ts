import { type ChildProcess, spawn } from 'node:child_process';

/** How long steps still running when Berth goes get between SIGTERM and SIGKILL. */
const ORPHAN_GRACE_MS = 1000;

/**
 * The launcher: a small plain-JS Node process that forks the steps. Forking from
 * Berth itself costs time in proportion to its memory and blocks its event loop;
 * the launcher is small and runs on another core. It starts each command as the
 * leader of a new process group, relays its output with backpressure, and when the
 * leader exits kills what is left of the group before reporting the exit.
 * Ctrl-C on a terminal reaches it too: it ignores it and lives until Berth lets go.
 * When Berth goes (it let go, or it died, even by SIGKILL, which closes the IPC
 * channel), the groups still running get SIGTERM, then SIGKILL after a grace, then
 * the folders Berth handed over (`own`) are removed, and only then does the launcher
 * exit: no step, and no step copy, outlives the process that ran it.
 */
const LAUNCHER_SOURCE = `
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const live = new Set();
const owned = new Set();
const killAll = (signal) => { for (const pid of live) { try { process.kill(-pid, signal); } catch {} } };
const leave = () => {
  for (const dir of owned) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
  process.exit(0);
};
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.on('disconnect', () => {
  if (live.size === 0) leave();
  killAll('SIGTERM');
  setTimeout(() => { killAll('SIGKILL'); leave(); }, ${ORPHAN_GRACE_MS});
});
const send = (message, done) => { if (process.connected) process.send(message, done); };
process.on('message', (m) => {
  if (m.own) { owned.add(m.own); return; }
  let child;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    send({ type: 'failed', id: m.id, code: error.code, message: error.message });
    return;
  }
  if (child.pid) live.add(child.pid);
  let started = false;
  child.on('error', (error) => {
    if (!started) send({ type: 'failed', id: m.id, code: error.code, message: error.message });
  });
  child.once('spawn', () => {
    started = true;
    send({ type: 'started', id: m.id, pid: child.pid });
  });
  let pending = 0;
  const streams = [child.stdout, child.stderr];
  const relay = (name, stream) => stream.on('data', (data) => {
    pending++;
    send({ type: 'output', id: m.id, stream: name, data }, () => {
      if (--pending < 8) for (const s of streams) s.resume();
    });
    if (pending >= 32) for (const s of streams) s.pause();
  });
  relay('stdout', child.stdout);
  relay('stderr', child.stderr);
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.once('exit', async (code, signal) => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    live.delete(child.pid);
    if (!process.connected && live.size === 0) leave();
    let timer;
    await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, ${2000}); })]);
    clearTimeout(timer);
    for (const s of streams) s.destroy();
    send({ type: 'exited', id: m.id, code, signal });
  });
});
`;

/** One command for the launcher to start. */
export interface Launch {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onStart(pid: number): void;
  onOutput(stream: 'stdout' | 'stderr', data: Uint8Array): void;
}

/** How a launched command ended: it ran and exited, or it could not start. */
export type LaunchEnd =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'failed'; code: string | null; message: string };

type Message =
  | { type: 'started'; id: number; pid: number }
  | { type: 'output'; id: number; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | { type: 'exited'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'failed'; id: number; code?: string; message: string };

/** Starts commands through one launcher process (restarted if it dies). */
export interface Launcher {
  run(launch: Launch): Promise<LaunchEnd>;
  /**
   * Hands `dir` over: the launcher removes it when Berth goes, even by SIGKILL, once the
   * steps are stopped (so remove it yourself before `close` when all went well).
   */
  own(dir: string): void;
  /** Lets the launcher exit; it stops commands still running first (SIGTERM, then SIGKILL). */
  close(): void;
}

/**
 * Starts the launcher at once, so it boots while the first step's tree is copied
 * (or, started ahead, while the pipeline is planned). Until its first command it
 * does not keep Berth alive; when Berth exits it exits too.
 */
export function createLauncher(): Launcher {
  let child: ChildProcess | null = null;
  const running = new Map<number, { launch: Launch; done: (end: LaunchEnd) => void }>();
  let next = 0;

  const onMessage = (message: Message) => {
    const entry = running.get(message.id);
    if (!entry) return;
    if (message.type === 'started') entry.launch.onStart(message.pid);
    else if (message.type === 'output') entry.launch.onOutput(message.stream, message.data);
    else {
      running.delete(message.id);
      entry.done(
        message.type === 'exited'
          ? { kind: 'exited', code: message.code, signal: message.signal }
          : { kind: 'failed', code: message.code ?? null, message: message.message },
      );
    }
  };

  const start = () => {
    const launcher = spawn(process.execPath, ['-e', LAUNCHER_SOURCE], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    launcher.on('message', (message) => onMessage(message as Message));
    launcher.on('error', () => {});
    launcher.unref();
    launcher.channel?.unref();
    launcher.once('exit', () => {
      child = null;
      for (const [id, entry] of running) {
        running.delete(id);
        entry.done({
          kind: 'failed',
          code: null,
          message: 'the local process launcher stopped unexpectedly',
        });
      }
    });
    return launcher;
  };

  child = start();
  return {
    run(launch) {
      child ??= start();
      child.ref();
      child.channel?.ref();
      const id = ++next;
      const { file, args, cwd, env } = launch;
      const promise = new Promise<LaunchEnd>((done) => running.set(id, { launch, done }));
      const lost = (error: Error | null) => {
        const entry = error ? running.get(id) : undefined;
        if (!entry) return;
        running.delete(id);
        entry.done({
          kind: 'failed',
          code: null,
          message: `the local process launcher is gone: ${error?.message}`,
        });
      };
      try {
        child.send({ id, file, args, cwd, env }, lost);
      } catch (error) {
        lost(error as Error);
      }
      return promise;
    },
    own(dir) {
      child ??= start();
      try {
        child.send({ own: dir });
      } catch {
        // A launcher gone before Berth is only restarted by the next command.
      }
    },
    close() {
      if (child?.connected) child.disconnect();
      child = null;
    },
  };
}
