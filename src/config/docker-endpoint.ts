import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Config } from './load.ts';

/** Where the Docker Engine API is served: a unix socket, or TCP (with TLS material when verified). */
export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string; source: string }
  | {
      kind: 'tcp';
      host: string;
      port: number;
      tls: { ca: Buffer; cert: Buffer; key: Buffer } | null;
      source: string;
    };

type DockerSettings = Pick<
  Readonly<Config>['docker'],
  'host' | 'tlsVerify' | 'certPath' | 'xdgRuntimeDir' | 'home'
>;

/** The sockets tried, in order, when DOCKER_HOST is unset. */
export function candidateSockets(settings: Pick<DockerSettings, 'xdgRuntimeDir'>): string[] {
  return [
    '/var/run/docker.sock',
    ...(settings.xdgRuntimeDir ? [join(settings.xdgRuntimeDir, 'podman', 'podman.sock')] : []),
    '/run/podman/podman.sock',
  ];
}

/**
 * DOCKER_HOST (unix://PATH, tcp://HOST:PORT; TLS when DOCKER_TLS_VERIFY is set, with
 * ca.pem/cert.pem/key.pem from DOCKER_CERT_PATH, else ~/.docker), else the first
 * socket found of candidateSockets. Nothing found, or unreadable TLS material, is a
 * ConfigError naming what to set.
 */
export function resolveDockerEndpoint(
  settings: DockerSettings,
  exists: (path: string) => boolean = existsSync,
  read: (path: string) => Buffer = readFileSync,
): DockerEndpoint {
  const host = settings.host?.trim();
  if (!host) {
    const tried = candidateSockets(settings);
    const found = tried.find((path) => exists(path));
    if (!found) {
      throw new ConfigError(
        `no Docker or Podman engine found: set DOCKER_HOST, or start one listening on ${tried.join(', ')}`,
      );
    }
    return { kind: 'unix', socketPath: found, source: `found ${found}` };
  }
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/'))
      throw new ConfigError(`DOCKER_HOST: ${host} needs an absolute socket path`);
    return { kind: 'unix', socketPath, source: 'DOCKER_HOST' };
  }
  const url = URL.canParse(host) ? new URL(host) : null;
  if (
    !url ||
    (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') ||
    !url.hostname
  ) {
    throw new ConfigError(`DOCKER_HOST must be unix:///path/to.sock or tcp://host:port, got "${host}"`);
  }
  const port = Number(url.port || (settings.tlsVerify ? 2376 : 2375));
  if (!settings.tlsVerify) return { kind: 'tcp', host: url.hostname, port, tls: null, source: 'DOCKER_HOST' };
  const dir = settings.certPath ?? (settings.home ? join(settings.home, '.docker') : null);
  if (!dir) throw new ConfigError('DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is');
  const file = (name: string): Buffer => {
    try {
      return read(join(dir, name));
    } catch (error) {
      throw new ConfigError(
        `DOCKER_CERT_PATH: cannot read ${join(dir, name)} (DOCKER_TLS_VERIFY is set)`,
        error,
      );
    }
  };
  const tls = { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
  return { kind: 'tcp', host: url.hostname, port, tls, source: 'DOCKER_HOST' };
}

/** The registry credentials file: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function registryConfigPath(
  settings: Pick<Readonly<Config>['docker'], 'configDir' | 'home'>,
): string | null {
  if (settings.configDir) return join(settings.configDir, 'config.json');
  return settings.home ? join(settings.home, '.docker', 'config.json') : null;
}
