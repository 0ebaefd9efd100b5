export type { ApiVerb } from './api.ts';
export { loadKubeConfig } from './kubeconfig.ts';
export {
  describeNamespace,
  type NamespaceSources,
  type ResolvedNamespace,
  resolveNamespace,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
} from './namespace.ts';
export { type ReaperOptions, startReaper } from './reaper.ts';
export { createKubernetesRuntime, type KubernetesRuntimeOptions } from './runtime.ts';
