import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalRuntime } from '../../../src/runtime/local/index.ts';
import { conformance } from './suite.ts';

conformance({
  name: 'local',
  unavailable: null,
  cannot: {
    images: 'it runs steps on this machine; the image is not used',
    'image-user': 'steps run as the user running Berth',
  },
  async start(t) {
    const workDir = await mkdtemp(join(tmpdir(), 'berth-conformance-work-'));
    t.after(() => rm(workDir, { recursive: true, force: true }));
    return {
      runtime: createLocalRuntime({ killGraceMs: 500, workDir, hostEnv: { PATH: process.env.PATH } }),
      image: 'busybox:1.37',
      missingImage: 'registry.example/does-not-exist:1',
      userImage: 'busybox:1.37',
      leftovers: async () => readdir(workDir),
    };
  },
});
