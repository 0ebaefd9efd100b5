export type { ContainerSettings } from './container-spec.ts';
export { ownerAlive, reapContainers, startContainerReaper } from './reaper.ts';
export {
  connectEngine,
  createDockerRuntime,
  type DockerRuntimeOptions,
  describeEngine,
  type EngineIdentity,
} from './runtime.ts';
