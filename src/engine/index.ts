export { type RunBuildOptions, runBuild } from './run-build.ts';
export { formatDuration } from './stop.ts';
export type * from './types.ts';
