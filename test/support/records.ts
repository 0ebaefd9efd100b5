import type { BuildRecord, StageRecord } from '../../src/builds/types.ts';

/** A build record with sensible defaults for report tests. */
export function record(overrides: Partial<BuildRecord> = {}): BuildRecord {
  return {
    id: 'b1',
    buildRef: 12,
    request: {
      forge: 'github',
      repo: 'acme/app',
      installationId: 7,
      sha: 'abcdef1234567890',
      ref: 'feature',
      refType: 'branch',
      trigger: 'change',
      change: 5,
      inputs: {},
      rerun: false,
    },
    source: 'github:acme/app',
    status: 'queued',
    reason: null,
    message: null,
    context: 'berth',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    stages: [],
    sha: 'abcdef1234567890',
    ...overrides,
  };
}

/** Two stages, the second with a step that exited 1. */
export function failedStages(): StageRecord[] {
  const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString();
  return [
    {
      name: 'build',
      status: 'success',
      steps: [
        {
          name: 'compile',
          status: 'success',
          exitCode: 0,
          reason: null,
          message: null,
          startedAt: at(0),
          finishedAt: at(65),
        },
      ],
    },
    {
      name: 'test',
      status: 'failed',
      steps: [
        {
          name: 'unit',
          status: 'failed',
          exitCode: 1,
          reason: 'user',
          message: null,
          startedAt: at(65),
          finishedAt: at(70),
        },
      ],
    },
  ];
}
