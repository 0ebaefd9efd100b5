import type { BuildRequest } from '../../src/builds/types.ts';

/** A valid GitHub push request; `overrides` change single fields. */
export function pushRequest(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    forge: 'github',
    repo: 'acme/app',
    sha: 'a'.repeat(40),
    ref: 'main',
    refType: 'branch',
    trigger: 'push',
    inputs: {},
    rerun: false,
    ...overrides,
  };
}
