import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { ContainerLog } from './container-log.ts';
import { asIdentity, type Identity } from './identity.ts';

/** A host path bind-mounted at a path inside the container's private mount namespace. */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
  /** The source is a file (subPath or a projected key), so the target is created as a file. */
  file: boolean;
}

/** Everything needed to run one container's command as a local process. */
export interface ProcessSpec {
  argv: string[];
  env: ReadonlyMap<string, string>;
  mounts: Mount[];
  workingDir: string | undefined;
  hostname: string;
  log: ContainerLog;
  /** The user the command (and exec sessions) run as; mounts are set up as root first. */
  identity: Identity;
}

/** How the start went: the mounts are in place and the command exists, or why not. */
export type StartResult = { ok: true } | { ok: false; message: string };

/** A container's main process (PID 1 of its own PID, mount and UTS namespaces). */
export interface ContainerProcess {
  readonly started: Promise<StartResult>;
  /** The exit code; 128 + signal number when killed. */
  readonly exited: Promise<number>;
  /** The environment exec sessions inherit. */
  readonly env: Record<string, string>;
  readonly workingDir: string;
  readonly identity: Identity;
  /** Host pid of the container's PID 1, for nsenter. */
  pid1(): number | undefined;
  /** Signal PID 1 (it ignores signals it has no handler for, like in a real container). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL the whole container. */
  kill(): void;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Start `spec.argv` under `unshare` with the volume bind mounts and working directory in place. */
export function startContainerProcess(spec: ProcessSpec): ContainerProcess {
  const env = containerEnv(spec);
  const workingDir = spec.workingDir || '/';
  const child = spawn(
    '/usr/bin/unshare',
    [
      '--mount',
      '--uts',
      '--pid',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      '--mount-proc',
      '/bin/sh',
      '-c',
      setupScript(spec.mounts, workingDir, spec.hostname, asIdentity(spec.identity)),
      'container',
      ...spec.argv,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => spec.log.write('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => spec.log.write('stderr', chunk));
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(128));
    child.once('close', (code, signal) => {
      spec.log.end();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
  return {
    started: readStart(child, exited, spec.argv[0] ?? ''),
    exited,
    env,
    workingDir,
    identity: spec.identity,
    pid1: () => childPid(child.pid),
    signal: (signal) => {
      const pid = childPid(child.pid);
      if (pid) safeKill(pid, signal);
    },
    kill: () => {
      if (child.pid && child.exitCode === null && child.signalCode === null) safeKill(-child.pid, 'SIGKILL');
    },
  };
}

function containerEnv(spec: ProcessSpec): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: spec.hostname, HOME: '/root' };
  for (const [name, value] of spec.env) env[name] = value;
  return env;
}

function setupScript(mounts: Mount[], workingDir: string, hostname: string, runAs: string[]): string {
  const lines = ['set -e', `hostname ${quote(hostname)} 2>/dev/null || true`];
  for (const mount of mounts) {
    const target = quote(mount.target);
    if (mount.file) lines.push(`mkdir -p "$(dirname ${target})"`, `[ -e ${target} ] || : > ${target}`);
    else lines.push(`mkdir -p ${target}`);
    lines.push(`mount --bind ${quote(mount.source)} ${target}`);
    if (mount.readOnly) lines.push(`mount -o remount,bind,ro ${target}`);
  }
  lines.push(
    `mkdir -p ${quote(workingDir)}`,
    `cd ${quote(workingDir)}`,
    'if ! command -v "$1" >/dev/null 2>&1; then echo "missing" >&3; exit 128; fi',
    'echo started >&3',
    'exec 3>&-',
    `exec ${[...runAs.map(quote), '"$@"'].join(' ')}`,
  );
  return lines.join('\n');
}

function readStart(child: ChildProcess, exited: Promise<number>, argv0: string): Promise<StartResult> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('started')) resolve({ ok: true });
      if (seen.includes('missing')) resolve({ ok: false, message: notFoundMessage(argv0) });
    });
    void exited.then(() =>
      resolve({
        ok: false,
        message: seen.includes('missing') ? notFoundMessage(argv0) : 'container setup failed',
      }),
    );
  });
}

function notFoundMessage(argv0: string): string {
  return `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv0}": executable file not found in $PATH: unknown`;
}

function childPid(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Single-quote a string for sh. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
