import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthConfig } from 'dockerode';

/** Docker Hub's names for itself in a credentials file. */
const DOCKER_HUB = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** The registry host of an image reference (Docker Hub when the first part is no host). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  const isHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : 'docker.io';
}

interface CredentialsFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
}

/**
 * Registry credentials for pulling `image`, from Docker config files: the one at
 * `configPath` (DOCKER_CONFIG / ~/.docker) and the pull secrets the configuration
 * names (`SECRETS_DIR/NAME/.dockerconfigjson`). Never from a step's environment.
 * Credential helpers (`credsStore`) are not run. Unreadable files count as absent.
 */
export async function registryAuth(
  image: string,
  sources: { configPath: string | null; secretsDir: string | null; pullSecrets: readonly string[] },
): Promise<AuthConfig | null> {
  const files = [
    ...(sources.configPath ? [sources.configPath] : []),
    ...(sources.secretsDir
      ? sources.pullSecrets.map((name) => join(sources.secretsDir ?? '', name, '.dockerconfigjson'))
      : []),
  ];
  const registry = registryOf(image);
  const names =
    registry === 'docker.io' ? DOCKER_HUB : [registry, `https://${registry}`, `http://${registry}`];
  for (const file of files) {
    const parsed = await readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as CredentialsFile)
      .catch(() => null);
    for (const name of names) {
      const entry = parsed?.auths?.[name];
      if (!entry) continue;
      const decoded = entry.auth ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const username = entry.username ?? (colon >= 0 ? decoded.slice(0, colon) : '');
      const password = entry.password ?? (colon >= 0 ? decoded.slice(colon + 1) : '');
      if (username || password) return { username, password, serveraddress: registry };
    }
  }
  return null;
}
