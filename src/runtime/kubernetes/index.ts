export type { ApiVerb } from './api.ts';
export { loadKubeConfig } from './kubeconfig.ts';
export { type ReaperOptions, startReaper } from './reaper.ts';
export { createKubernetesRuntime, type KubernetesRuntimeOptions } from './runtime.ts';
