import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { statusOf } from './engine-api.ts';
import { BUILD_ID_LABEL, instanceFilter, LABELS, OWNER_LABEL } from './names.ts';

export interface ReaperOptions {
  docker: Dockerode;
  instance: string;
  /** Whether the build (its Berth id, its container's owner label) is still running. */
  isBuildRunning: (buildId: string, owner: string | null) => Promise<boolean>;
  logger: Logger;
  signal: AbortSignal;
  count?: () => void;
}

/**
 * Removes this instance's step containers whose build is no longer running (a worker
 * or `berth run` that was killed): only containers carrying this instance's label,
 * and only after `isBuildRunning` said no for their build.
 */
export async function reapContainers(options: ReaperOptions): Promise<number> {
  options.count?.();
  const list = await options.docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [instanceFilter(options.instance)] }),
    abortSignal: options.signal,
  } as Dockerode.ContainerListOptions);
  const verdicts = new Map<string, Promise<boolean>>();
  let removed = 0;
  for (const info of list) {
    const labels = info.Labels ?? {};
    // Podman 4 matches any of several label filters: check the instance here again.
    if (labels[LABELS.instance] !== instanceFilter(options.instance).split('=')[1]) continue;
    const buildId = labels[BUILD_ID_LABEL] ?? labels[LABELS.build];
    if (!buildId) continue;
    const owner = labels[OWNER_LABEL] ?? null;
    const key = `${buildId}\n${owner}`;
    if (!verdicts.has(key)) verdicts.set(key, options.isBuildRunning(buildId, owner));
    if (await verdicts.get(key)) continue;
    try {
      options.count?.();
      await options.docker.getContainer(info.Id).remove({ force: true, v: true });
      removed++;
    } catch (error) {
      if (statusOf(error) !== 404)
        options.logger.warn({ err: error, container: info.Id }, 'reaping a container failed');
    }
  }
  if (removed > 0) options.logger.info({ removed }, 'reaped orphaned step containers');
  return removed;
}

/** Runs `reapContainers` now and every `intervalMs` until `signal` aborts; failures are logged. */
export function startContainerReaper(options: ReaperOptions & { intervalMs: number }): void {
  const sweep = () =>
    reapContainers(options).catch((error: unknown) => {
      if (!options.signal.aborted) options.logger.warn({ err: error }, 'reaper sweep failed');
      return 0;
    });
  void sweep();
  const timer = setInterval(sweep, options.intervalMs);
  timer.unref();
  options.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/** For `berth run`: a build runs while its owner process (on this host) lives; other hosts' are left alone. */
export function ownerAlive(thisHost: string) {
  return async (_buildId: string, owner: string | null): Promise<boolean> => {
    const [host, pid] = (owner ?? '').split(':');
    if (host !== thisHost || !pid || !/^\d+$/.test(pid)) return host !== thisHost;
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
}
