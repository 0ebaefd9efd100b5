import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveDockerEndpoint } from '../../src/config/docker-endpoint.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const settings = (env: Record<string, string>) => loadConfig(env).docker;
const none = () => false;

describe('Docker engine discovery', () => {
  it('takes a unix DOCKER_HOST as given', () => {
    const found = resolveDockerEndpoint(settings({ DOCKER_HOST: 'unix:///srv/engine.sock' }), none);
    assert.deepEqual(found, { kind: 'unix', socketPath: '/srv/engine.sock', source: 'DOCKER_HOST' });
  });

  it("without DOCKER_HOST tries the Docker socket, then the user's and the system's Podman socket", () => {
    const seen: string[] = [];
    const exists = (path: string) => {
      seen.push(path);
      return path === '/run/podman/podman.sock';
    };
    const found = resolveDockerEndpoint(settings({ XDG_RUNTIME_DIR: '/run/user/1000' }), exists);
    assert.deepEqual(seen, [
      '/var/run/docker.sock',
      '/run/user/1000/podman/podman.sock',
      '/run/podman/podman.sock',
    ]);
    assert.equal(found.kind === 'unix' && found.socketPath, '/run/podman/podman.sock');
    assert.throws(
      () => resolveDockerEndpoint(settings({}), none),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /no Docker or Podman engine found: set DOCKER_HOST/);
        return true;
      },
    );
  });

  it('uses TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const read = (path: string) => Buffer.from(`pem of ${path}`);
    const env = {
      DOCKER_HOST: 'tcp://engine.example:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs',
    };
    const found = resolveDockerEndpoint(settings(env), none, read);
    assert.equal(found.kind, 'tcp');
    assert.equal(found.kind === 'tcp' && found.host, 'engine.example');
    assert.equal(found.kind === 'tcp' && found.port, 2376);
    assert.equal(found.kind === 'tcp' && found.tls?.cert.toString(), 'pem of /certs/cert.pem');
    const plain = resolveDockerEndpoint(settings({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }), none);
    assert.equal(plain.kind === 'tcp' && plain.tls, null);
    const unreadable = () => {
      throw new Error('ENOENT');
    };
    assert.throws(
      () => resolveDockerEndpoint(settings(env), none, unreadable),
      /DOCKER_CERT_PATH: cannot read \/certs\/ca.pem/,
    );
    assert.throws(
      () => resolveDockerEndpoint(settings({ DOCKER_HOST: 'ssh://me@host' }), none),
      /DOCKER_HOST must be/,
    );
  });

  it('rejects bad Docker limits naming the variable', () => {
    assert.throws(() => loadConfig({ BERTH_DOCKER_MEMORY: 'lots' }), /BERTH_DOCKER_MEMORY: must be a size/);
    assert.equal(loadConfig({ BERTH_DOCKER_MEMORY: '512m' }).docker.memoryBytes, 512 * 1024 ** 2);
    assert.throws(
      () => loadConfig({ BERTH_RUNTIME: 'podman' }),
      /BERTH_RUNTIME: must be one of "kubernetes", "local", "docker"/,
    );
  });
});
