export { type ContainerSettings } from './container-spec.ts';
export { reapContainers, ownerAlive, startContainerReaper } from './reaper.ts';
export { connectEngine, createDockerRuntime, describeEngine, type DockerRuntimeOptions, type EngineIdentity } from './runtime.ts';
