import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type ApiVerb, httpStatusOf, safeCounter, withSignal } from './api.ts';
import { BUILD_ID_ANNOTATION, instanceSelector, LABELS } from './names.ts';

export interface ReaperOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  instance: string;
  /** Whether the build (by its Berth id) is still queued or running. */
  isBuildRunning: (buildId: string) => Promise<boolean>;
  intervalMs: number;
  logger: Logger;
  signal: AbortSignal;
  /** Called once per HTTP request to the API server (list, delete). */
  onApiRequest?: (verb: ApiVerb) => void;
}

/**
 * Deletes this instance's step pods whose build is no longer running (a worker crashed),
 * once at start and then every `intervalMs` until `signal` aborts.
 */
export function startReaper(options: ReaperOptions): { sweep(): Promise<number> } {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const log = options.logger.child({ component: 'reaper' });
  const count = safeCounter(options.onApiRequest);
  const sweep = async (): Promise<number> => {
    count('list');
    const list = await core.listNamespacedPod(
      { namespace: options.namespace, labelSelector: instanceSelector(options.instance) },
      withSignal(options.signal),
    );
    const verdicts = new Map<string, Promise<boolean>>();
    let deleted = 0;
    for (const pod of list.items) {
      const name = pod.metadata?.name;
      const buildId =
        pod.metadata?.annotations?.[BUILD_ID_ANNOTATION] ?? pod.metadata?.labels?.[LABELS.build];
      if (!name || !buildId || pod.metadata?.deletionTimestamp) continue;
      if (!verdicts.has(buildId)) verdicts.set(buildId, options.isBuildRunning(buildId));
      if (await verdicts.get(buildId)) continue;
      try {
        count('delete');
        await core.deleteNamespacedPod(
          { name, namespace: options.namespace, gracePeriodSeconds: 0 },
          withSignal(options.signal),
        );
        deleted++;
      } catch (error) {
        if (httpStatusOf(error) !== 404) log.warn({ err: error, pod: name }, 'reaping a pod failed');
      }
    }
    if (deleted > 0) log.info({ deleted }, 'reaped orphaned step pods');
    return deleted;
  };
  const guarded = () =>
    sweep().catch((error: unknown) => {
      if (!options.signal.aborted) log.warn({ err: error }, 'reaper sweep failed');
      return 0;
    });
  void guarded();
  const timer = setInterval(guarded, options.intervalMs);
  timer.unref();
  options.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  return { sweep };
}
