import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { PlannedStep } from '../../pipeline/types.ts';
import { stopOf } from '../../stop-reasons.ts';
import { redactingOutput } from '../kubernetes/secret-redaction.ts';
import { packSources } from '../kubernetes/source-pack.ts';
import type { BuildContext, RuntimeSession, StepIO, StepOutcome } from '../types.ts';
import { BuildEvents } from './build-events.ts';
import { type ContainerSettings, containerSpec } from './container-spec.ts';
import { statusOf } from './engine-api.ts';
import { buildKey, SOURCE_GROUP } from './names.ts';
import { registryAuth } from './registry-auth.ts';
import { refusedSecret, type SecretGrants } from './secret-grants.ts';
import { runStepContainer, type StepRunContext } from './step-run.ts';
import { readStepSecrets } from './step-secrets.ts';

/** Everything a build session needs, resolved from the runtime options. */
export interface SessionConfig {
  docker: Dockerode;
  settings: ContainerSettings;
  /** Labels every container of this process gets (the reaper's owner check). */
  extraLabels: Record<string, string>;
  secretsDir: string | null;
  /** Secrets granted to repositories (BERTH_REPO_SECRETS): a bot build's step may use only those. */
  grants: SecretGrants;
  registry: { configPath: string | null; pullSecrets: readonly string[] };
  logGraceMs: number;
  cleanupMs: number;
  count: () => void;
  logger: Logger;
}

/** Opens a build: packs its source once, opens its one event stream (before any container). */
export async function openSession(
  config: SessionConfig,
  build: BuildContext,
  signal: AbortSignal,
): Promise<RuntimeSession> {
  const logger = config.logger.child({ build: build.id });
  const archives = await packSources(build, { underRepoDir: true, group: SOURCE_GROUP });
  const events = new BuildEvents({
    docker: config.docker,
    key: buildKey(build.instance, build.id),
    logger,
    count: config.count,
  });
  await events.start(signal);
  if (signal.aborted) {
    events.stop();
    archives.release();
    throw stopOf(signal.reason);
  }
  const created = new Set<string>();
  const removals = new Set<Promise<void>>();
  const attempts = new Map<PlannedStep, number>();
  const remove = (id: string, budget?: AbortSignal): Promise<void> => {
    if (!created.has(id)) return Promise.resolve();
    const removal = removeContainer(config, id, budget ?? AbortSignal.timeout(config.cleanupMs)).then(
      (gone) => {
        if (gone) created.delete(id);
      },
    );
    const tracked = removal.finally(() => removals.delete(tracked));
    removals.add(tracked);
    return tracked;
  };
  const context: StepRunContext = {
    docker: config.docker,
    events,
    logger,
    logGraceMs: config.logGraceMs,
    stopGraceSeconds: config.settings.stopGraceSeconds,
    count: config.count,
    pullAuth: (image) => registryAuth(image, { ...config.registry, secretsDir: config.secretsDir }),
    created: (id) => created.add(id),
    remove: (id) => remove(id),
  };
  const notedAccounts = new Set<string>();
  return {
    async runStep(step: PlannedStep, io: StepIO, stepSignal: AbortSignal): Promise<StepOutcome> {
      if (step.serviceAccount !== null && !notedAccounts.has(step.serviceAccount)) {
        notedAccounts.add(step.serviceAccount);
        io.output.line(
          'system',
          `service account ${step.serviceAccount} has no meaning on the docker runtime: no token is mounted`,
        );
      }
      const refused = build.repository ? refusedSecret(step, build.repository, config.grants) : null;
      if (refused) return { status: 'error', reason: 'config', message: refused };
      const secrets = await readStepSecrets(step, config.secretsDir);
      if (!secrets.ok) return { status: 'error', reason: 'config', message: secrets.message };
      const spec = containerSpec(build, step, { ...step.env, ...secrets.env }, config.settings);
      spec.Labels = { ...spec.Labels, ...config.extraLabels };
      // A run after an infrastructure failure gets its own container name.
      const attempt = attempts.get(step) ?? 0;
      attempts.set(step, attempt + 1);
      if (attempt > 0) spec.name = `${spec.name}-r${attempt}`;
      const payload = { archives: [archives.forStep(step), ...(secrets.files ? [secrets.files] : [])] };
      const output = redactingOutput(io.output, secrets.values);
      return runStepContainer(context, spec, payload, output, stepSignal);
    },
    async cleanup(): Promise<void> {
      const budget = AbortSignal.timeout(config.cleanupMs);
      await Promise.allSettled([...removals]);
      await Promise.allSettled([...created].map((id) => remove(id, budget)));
      events.stop();
      archives.release();
      if (created.size > 0)
        logger.warn({ containers: [...created] }, 'cleanup budget spent: containers left for the reaper');
    },
  };
}

/** Removes a container and its anonymous volumes, retrying transient failures within `budget`; 404 counts as done. */
async function removeContainer(config: SessionConfig, id: string, budget: AbortSignal): Promise<boolean> {
  for (let attempt = 0; !budget.aborted; attempt++) {
    try {
      config.count();
      await config.docker.getContainer(id).remove({ force: true, v: true });
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return true;
      // 409: a removal is already in progress; it is gone once that one ends.
      config.logger.warn({ err: error, container: id }, 'removing a container failed');
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 2000)));
    }
  }
  return false;
}
