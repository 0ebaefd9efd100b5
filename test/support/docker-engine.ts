import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'podman-engine.sh');

/** A Docker-API engine for tests: its DOCKER_HOST, a client, and the test images. */
export interface TestEngine {
  host: string;
  socketPath: string;
  docker: Dockerode;
  images: { root: string; user: string; missing: string };
}

/**
 * The engine the Docker tests run against: BERTH_TEST_DOCKER_HOST when set, else the
 * project's Podman engine (scripts/podman-engine.sh start: reused when running, it
 * exits by itself after 10 idle minutes). Null, with a loud message, where it cannot
 * be started; with BERTH_REQUIRE_DOCKER=1 (CI) that is an error instead.
 */
export async function testEngine(): Promise<TestEngine | null> {
  let host = process.env.BERTH_TEST_DOCKER_HOST ?? '';
  if (!host) {
    try {
      host = (await run(SCRIPT, ['start'], { timeout: 120_000 })).stdout.trim().split('\n').pop() ?? '';
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      if (process.env.BERTH_REQUIRE_DOCKER === '1') {
        throw new Error(`BERTH_REQUIRE_DOCKER=1 but the Podman engine could not start: ${detail}`);
      }
      console.error(
        `\n${'!'.repeat(78)}\n!!! DOCKER RUNTIME TESTS SKIPPED: no container engine (${detail}).\n!!! Run scripts/podman-engine.sh install (as root), or set BERTH_TEST_DOCKER_HOST.\n${'!'.repeat(78)}\n`,
      );
      return null;
    }
  }
  if (!host.startsWith('unix://')) throw new Error(`the test engine must be a unix socket, got ${host}`);
  const socketPath = host.slice('unix://'.length);
  return {
    host,
    socketPath,
    docker: new Dockerode({ socketPath }),
    images: {
      root: 'localhost/berth-busybox:1',
      user: 'localhost/berth-busybox-user:1',
      missing: 'localhost/berth-does-not-exist:1',
    },
  };
}

/** Containers (any state) carrying `berth.dev/instance=<instance>`. */
export async function containersOf(docker: Dockerode, instance: string): Promise<Dockerode.ContainerInfo[]> {
  const all = await docker.listContainers({
    all: true,
    filters: { label: [`berth.dev/instance=${instance}`] },
  });
  return all.filter((info) => info.Labels?.['berth.dev/instance'] === instance);
}
