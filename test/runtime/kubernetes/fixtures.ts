import type { PlannedStep } from '../../../src/pipeline/types.ts';

/** A container step running `script` with sh, overridable field by field. */
export function step(overrides: Partial<PlannedStep> & { script?: string } = {}): PlannedStep {
  const { script = 'echo hello', ...rest } = overrides;
  return {
    stage: 'build',
    name: 'compile',
    type: 'container',
    image: 'alpine:3',
    command: ['/bin/sh', '-c', script],
    repoDir: '/mnt/repo',
    workingDir: '/mnt/repo',
    env: {},
    secretEnv: [],
    envFromSecrets: [],
    mounts: [],
    serviceAccount: null,
    source: { kind: 'repo' },
    tools: [],
    os: 'linux',
    ...rest,
  };
}
