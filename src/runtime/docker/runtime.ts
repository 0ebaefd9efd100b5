import { hostname } from 'node:os';
import Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { DockerEndpoint } from '../../config/docker-endpoint.ts';
import type { Runtime } from '../types.ts';
import type { ContainerSettings } from './container-spec.ts';
import { engineMessage } from './engine-api.ts';
import { OWNER_LABEL } from './names.ts';
import { openSession } from './session.ts';

/** Configuration of the Docker runtime. */
export interface DockerRuntimeOptions {
  docker: Dockerode;
  /** Value of the `berth.dev/instance` label when a build does not say. */
  instance: string;
  settings: ContainerSettings;
  /** Folder of `SECRET/KEY` files the steps' secret references read (null: none). */
  secretsDir: string | null;
  /** Secrets granted to repositories (BERTH_REPO_SECRETS); a bot build may use no other (default: none). */
  grants?: Readonly<Record<string, readonly string[]>>;
  /** Registry credentials: the Docker config file, and pull secrets in `secretsDir`. */
  registry: { configPath: string | null; pullSecrets: readonly string[] };
  logger: Logger;
  /** Wait for a finished step's output to end before removing it (default 30 s). */
  logGraceMs?: number;
  /** Budget of a build's cleanup (default 60 s). */
  cleanupMs?: number;
  /** Called once per request to the engine. */
  onApiRequest?: () => void;
}

/** The client of an endpoint (the options are given in full: dockerode reads no environment of its own then). */
export function connectEngine(endpoint: DockerEndpoint): Dockerode {
  if (endpoint.kind === 'unix') {
    return new Dockerode({
      socketPath: endpoint.socketPath,
      host: undefined,
      port: undefined,
      protocol: undefined,
    } as Dockerode.DockerOptions);
  }
  const tls = endpoint.tls;
  return new Dockerode({
    socketPath: undefined,
    host: endpoint.host,
    port: endpoint.port,
    protocol: tls ? 'https' : 'http',
    ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
  } as Dockerode.DockerOptions);
}

/** What the engine says it is. */
export interface EngineIdentity {
  name: string;
  version: string;
  apiVersion: string;
}

/** Asks the engine who it is (one request); an unreachable engine throws with its message. */
export async function describeEngine(docker: Dockerode, signal: AbortSignal): Promise<EngineIdentity> {
  try {
    const version = await (docker.version as (options: object) => Promise<Dockerode.DockerVersion>).call(
      docker,
      { abortSignal: signal },
    );
    const { Components: components = [], Platform: platform } = version as {
      Components?: Array<{ Name?: string }>;
      Platform?: { Name?: string };
    };
    // Podman names itself in a component ("Podman Engine"); Docker in Platform ("Docker Engine - Community").
    const podman = components.find((component) => /podman/i.test(component.Name ?? ''))?.Name;
    const dockerPlatform = /docker/i.test(platform?.Name ?? '') ? platform?.Name : undefined;
    const name = podman ?? dockerPlatform ?? 'Docker Engine';
    return { name, version: version.Version, apiVersion: version.ApiVersion };
  } catch (error) {
    throw new Error(engineMessage(error), { cause: error });
  }
}

/** Who runs the containers of this process: the reaper leaves containers of live owners alone. */
export const ownerOfThisProcess = (): string => `${hostname()}:${process.pid}`;

/** A Runtime running each step as a container of a Docker-API engine (Docker, Podman). */
export function createDockerRuntime(options: DockerRuntimeOptions): Runtime {
  const counter = options.onApiRequest;
  const count = () => {
    try {
      counter?.();
    } catch {
      // Counting is best effort.
    }
  };
  const config = {
    docker: options.docker,
    settings: options.settings,
    extraLabels: { [OWNER_LABEL]: ownerOfThisProcess() },
    secretsDir: options.secretsDir,
    grants: options.grants ?? {},
    registry: options.registry,
    logGraceMs: options.logGraceMs ?? 30_000,
    cleanupMs: options.cleanupMs ?? 60_000,
    count,
    logger: options.logger.child({ runtime: 'docker' }),
  };
  return {
    kind: 'docker',
    open: (build, signal) =>
      openSession(config, { ...build, instance: build.instance || options.instance }, signal),
  };
}
