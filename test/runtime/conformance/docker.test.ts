import pino from 'pino';
import { createDockerRuntime } from '../../../src/runtime/docker/index.ts';
import { containersOf, testEngine } from '../../support/docker-engine.ts';
import { conformance } from './suite.ts';

const engine = await testEngine();

conformance({
  name: 'docker (Podman engine)',
  cannot: {},
  unavailable: engine ? null : 'no container engine here (see the message above)',
  async start(_t, instance) {
    if (!engine) throw new Error('no engine');
    const runtime = createDockerRuntime({
      docker: engine.docker,
      instance,
      settings: { network: null, memoryBytes: null, cpus: null, pidsLimit: 256, stopGraceSeconds: 1 },
      secretsDir: null,
      registry: { configPath: null, pullSecrets: [] },
      logger: pino({ level: 'silent' }),
      cleanupMs: 20_000,
    });
    return {
      runtime,
      image: engine.images.root,
      missingImage: engine.images.missing,
      userImage: engine.images.user,
      leftovers: async () =>
        (await containersOf(engine.docker, instance)).map((info) => info.Names?.[0] ?? info.Id),
    };
  },
});
