import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads cluster access: the given kubeconfig file (e.g. $KUBECONFIG, passed in by the
 * config module), else ~/.kube/config, else the in-cluster service account. Null when
 * none exists. Throws when a file exists but is unreadable or has no current cluster.
 */
export function loadKubeConfig(kubeconfigPath: string | null): KubeConfig | null {
  const kubeConfig = new KubeConfig();
  const file = kubeconfigPath ?? join(homedir(), '.kube', 'config');
  if (kubeconfigPath !== null || existsSync(file)) {
    kubeConfig.loadFromFile(file);
  } else if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
  } else {
    return null;
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error(
      `kubeconfig ${file} has no current context with a cluster; set one with kubectl config use-context`,
    );
  }
  return kubeConfig;
}
