import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Runtime } from '../types.ts';
import { type ApiVerb, safeCounter } from './api.ts';
import type { RepoObjectGrants } from './object-access.ts';
import { openSession } from './session.ts';

/** Configuration of the Kubernetes runtime. */
export interface KubernetesRuntimeOptions {
  /** Loaded by the caller (KUBECONFIG / current context / in-cluster), see loadKubeConfig. */
  kubeConfig: KubeConfig;
  namespace: string;
  /** Why this namespace (see resolveNamespace); shown by `berth run`. */
  namespaceReason?: string;
  /** Value of the `berth.dev/instance` label; the reaper only touches this instance's pods. */
  instance: string;
  /** Image of the init container receiving the source (needs `sh`, `head`, `tar`). */
  helperImage: string;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> } | null;
  nodeSelector: Record<string, string> | null;
  tolerations: Array<Record<string, unknown>> | null;
  imagePullSecrets: string[];
  /**
   * Scheduling and cleanup bounds; step and build timeouts are the engine's (it aborts the
   * step's signal) and only size each pod's activeDeadlineSeconds, the safety net for a dead worker.
   */
  timeouts: { schedulingMs: number; stepMs: number; buildMs: number; cleanupMs: number };
  logger: Logger;
  /** Per-step log cap in bytes (a visible marker is written past it). */
  logCapBytes?: number;
  /** A watch silent this long is presumed stalled and reopened (default 90 s; servers bookmark every minute). */
  watchIdleMs?: number;
  /** A watch request whose response has not begun after this long is abandoned and retried (default 15 s). */
  watchConnectMs?: number;
  /** How long a finished step waits for its log stream's EOF before the pod is deleted (default 30 s: a CPU-starved API server or reader must not lose lines). */
  logGraceMs?: number;
  /**
   * Read the Secrets the steps reference (one GET each per build; needs `get` on secrets)
   * and mask their values in step logs. Off by default: pods only reference secrets.
   */
  redactReferencedSecrets?: boolean;
  /**
   * Objects granted to repositories besides those labelled for them (BERTH_REPO_SECRETS);
   * a bot build's step may name only granted Secrets, ConfigMaps and service accounts.
   */
  repoGrants?: RepoObjectGrants;
  /** Called once per HTTP request to the API server (e.g. a `berth_kubernetes_requests_total{verb}` counter). */
  onApiRequest?: (verb: ApiVerb) => void;
}

/** Slack on top of the scheduling and step timeouts for a pod's activeDeadlineSeconds. */
const DEADLINE_SLACK_S = 60;

/** A Runtime running each step as a pod in `namespace`. */
export function createKubernetesRuntime(options: KubernetesRuntimeOptions): Runtime {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const { timeouts } = options;
  const activeDeadlineSeconds =
    Math.ceil(Math.min(timeouts.schedulingMs + timeouts.stepMs, timeouts.buildMs) / 1000) + DEADLINE_SLACK_S;
  const config = {
    core,
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    settings: {
      helperImage: options.helperImage,
      resources: options.resources,
      nodeSelector: options.nodeSelector,
      tolerations: options.tolerations,
      imagePullSecrets: options.imagePullSecrets,
      activeDeadlineSeconds,
    },
    timeouts: { schedulingMs: timeouts.schedulingMs, cleanupMs: timeouts.cleanupMs },
    logCapBytes: options.logCapBytes ?? null,
    logGraceMs: options.logGraceMs ?? 30_000,
    watchIdleMs: options.watchIdleMs ?? 90_000,
    watchConnectMs: options.watchConnectMs ?? 15_000,
    redactReferencedSecrets: options.redactReferencedSecrets ?? false,
    grants: options.repoGrants ?? {},
    count: safeCounter(options.onApiRequest),
    logger: options.logger.child({ runtime: 'kubernetes', namespace: options.namespace }),
  };
  return {
    kind: 'kubernetes',
    namespace: { name: options.namespace, reason: options.namespaceReason ?? 'as configured' },
    open: (build, signal) =>
      openSession(config, { ...build, instance: build.instance || options.instance }, signal),
  };
}
