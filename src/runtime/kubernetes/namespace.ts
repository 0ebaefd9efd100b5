import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

/** Where a pod's service account token and namespace are mounted. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The context client-node makes for an in-cluster config (its namespace comes from the same file). */
const IN_CLUSTER_CONTEXT = 'inClusterContext';

/** The namespace step pods run in, and why that one. */
export interface ResolvedNamespace {
  name: string;
  /** e.g. `from the kubeconfig context "ci"`. */
  reason: string;
}

export interface NamespaceSources {
  /** `berth run --namespace`. */
  flag?: string | undefined;
  /** BERTH_NAMESPACE (null when unset). */
  configured: string | null;
  /** The service account's namespace file (default: the in-pod path). */
  serviceAccountNamespaceFile?: string;
}

/**
 * kubectl's rule with Berth's own settings first: `--namespace`, then BERTH_NAMESPACE,
 * then the namespace of the kubeconfig's current context, then (in a pod) the service
 * account's namespace file, then `default`.
 */
export function resolveNamespace(kubeConfig: KubeConfig, sources: NamespaceSources): ResolvedNamespace {
  if (sources.flag) return { name: sources.flag, reason: 'from --namespace' };
  if (sources.configured) return { name: sources.configured, reason: 'from BERTH_NAMESPACE' };
  const contextName = kubeConfig.getCurrentContext();
  const context = kubeConfig.getContextObject(contextName);
  if (context?.namespace && contextName !== IN_CLUSTER_CONTEXT) {
    return { name: context.namespace, reason: `from the kubeconfig context "${contextName}"` };
  }
  const file = sources.serviceAccountNamespaceFile ?? SERVICE_ACCOUNT_NAMESPACE_FILE;
  const inPod = readNamespaceFile(file);
  if (inPod) return { name: inPod, reason: `from the service account's namespace file ${file}` };
  return {
    name: 'default',
    reason: 'the default: no --namespace, BERTH_NAMESPACE, kubeconfig context namespace or service account',
  };
}

function readNamespaceFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** `team-a (from the kubeconfig context "ci")`. */
export const describeNamespace = (ns: ResolvedNamespace): string => `${ns.name} (${ns.reason})`;
