import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PlannedStep } from '../../pipeline/types.ts';
import { stopOf } from '../../stop-reasons.ts';
import type { BuildContext, RuntimeSession, StepIO, StepOutcome } from '../types.ts';
import { type ApiRequestCounter, backoffMs, httpStatusOf, sleep, withSignal } from './api.ts';
import { WarningEvents } from './events.ts';
import { buildSelector } from './names.ts';
import { deniedSteps, type RepoObjectGrants } from './object-access.ts';
import { objectReader } from './object-reads.ts';
import { buildPod, type PodSettings } from './pod-spec.ts';
import { PodWatch } from './pod-watch.ts';
import { readSecretValues, redactingOutput } from './secret-redaction.ts';
import { packSources } from './source-pack.ts';
import { runStepPod, type StepRunContext } from './step-run.ts';

/** Everything a build session needs, resolved from the runtime options. */
export interface SessionConfig {
  core: CoreV1Api;
  kubeConfig: KubeConfig;
  namespace: string;
  settings: PodSettings;
  /** Step and build timeouts are the engine's: the session only bounds scheduling and cleanup. */
  timeouts: { schedulingMs: number; cleanupMs: number };
  logCapBytes: number | null;
  logGraceMs: number;
  watchIdleMs: number;
  watchConnectMs: number;
  /** Read the referenced Secrets' values and mask them in step logs. */
  redactReferencedSecrets: boolean;
  /** Objects granted to repositories besides their own labels (BERTH_REPO_SECRETS). */
  grants: RepoObjectGrants;
  count: ApiRequestCounter;
  logger: Logger;
}

/** Opens a build: packs its source, opens its one pod watch (before any pod exists). */
export async function openSession(
  config: SessionConfig,
  build: BuildContext,
  signal: AbortSignal,
): Promise<RuntimeSession> {
  const logger = config.logger.child({ build: build.id });
  const read = objectReader(config.core, config.namespace, config.count, signal);
  const denied = build.repository
    ? await deniedSteps(build.plan, build.repository, {
        read,
        namespace: config.namespace,
        grants: config.grants,
      })
    : new Map<PlannedStep, string>();
  const archives = await packSources(build);
  const secretValues = config.redactReferencedSecrets
    ? await readSecretValues(read, build.plan, logger).catch((error: unknown) => {
        archives.release();
        throw error;
      })
    : [];
  const watch = new PodWatch({
    kubeConfig: config.kubeConfig,
    core: config.core,
    namespace: config.namespace,
    selector: buildSelector(build.instance, build.id),
    idleMs: config.watchIdleMs,
    connectMs: config.watchConnectMs,
    logger,
    count: config.count,
  });
  const opened = watch.start();
  await Promise.race([
    opened,
    new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
  ]);
  logger.debug({ connected: !signal.aborted }, 'build watch opened');
  if (signal.aborted) {
    watch.stop();
    archives.release();
    throw stopOf(signal.reason);
  }
  const events = new WarningEvents({
    kubeConfig: config.kubeConfig,
    namespace: config.namespace,
    idleMs: config.watchIdleMs,
    connectMs: config.watchConnectMs,
    logger,
    count: config.count,
  });
  const created = new Set<string>();
  const attempts = new Map<PlannedStep, number>();
  const gone = new Set<string>();
  const deletions = new Set<Promise<void>>();
  const deletePod = (name: string, immediately: boolean, budget?: AbortSignal): Promise<void> => {
    const deletion = removePod(
      config,
      name,
      immediately,
      budget ?? AbortSignal.timeout(config.timeouts.cleanupMs),
    )
      .then((ok) => {
        if (ok) gone.add(name);
      })
      .finally(() => deletions.delete(deletion));
    deletions.add(deletion);
    return deletion;
  };
  const context: StepRunContext = {
    core: config.core,
    kubeConfig: config.kubeConfig,
    namespace: config.namespace,
    watch,
    events,
    logger,
    schedulingMs: config.timeouts.schedulingMs,
    logCapBytes: config.logCapBytes,
    logGraceMs: config.logGraceMs,
    count: config.count,
    deletePod,
  };
  return {
    async runStep(step: PlannedStep, io: StepIO, stepSignal: AbortSignal): Promise<StepOutcome> {
      const refused = denied.get(step);
      if (refused) return { status: 'error', reason: 'config', message: refused };
      // A run after an infrastructure failure gets a new pod: the old one may still be terminating.
      const attempt = attempts.get(step) ?? 0;
      attempts.set(step, attempt + 1);
      const pod = buildPod(build, step, config.settings, attempt);
      created.add(pod.metadata?.name ?? '');
      const output = redactingOutput(io.output, secretValues);
      return runStepPod(context, pod, step, archives.forStep(step), { ...io, output }, stepSignal);
    },
    async cleanup(): Promise<void> {
      const budget = AbortSignal.timeout(config.timeouts.cleanupMs);
      await Promise.allSettled([...deletions]);
      const left = [...created].filter((name) => !gone.has(name));
      await Promise.allSettled(left.map((name) => deletePod(name, true, budget)));
      const allGone = await watch.allGone(created, budget);
      watch.stop();
      events.stop();
      archives.release();
      if (!allGone) logger.warn({ pods: [...created] }, 'cleanup budget spent: pods left for the reaper');
    },
  };
}

/** Deletes a pod, retrying transient failures within `budget`; 404 counts as done. */
async function removePod(
  config: SessionConfig,
  name: string,
  immediately: boolean,
  budget: AbortSignal,
): Promise<boolean> {
  for (let attempt = 0; !budget.aborted; attempt++) {
    try {
      config.count('delete');
      await config.core.deleteNamespacedPod(
        { name, namespace: config.namespace, ...(immediately ? { gracePeriodSeconds: 0 } : {}) },
        withSignal(budget),
      );
      return true;
    } catch (error) {
      if (httpStatusOf(error) === 404) return true;
      if (budget.aborted) break;
      config.logger.warn({ err: error, pod: name }, 'deleting a pod failed');
      await sleep(backoffMs(attempt, 200), budget);
    }
  }
  return false;
}
