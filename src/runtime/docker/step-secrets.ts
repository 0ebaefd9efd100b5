import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pack } from 'tar-stream';
import type { PlannedStep } from '../../pipeline/types.ts';

/** A step's secrets, read from the secrets folder: env values, files to place, values to mask. */
export type StepSecrets =
  | { ok: true; env: Record<string, string>; files: Buffer | null; values: string[] }
  | { ok: false; message: string };

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Reads what `step` references (secretKeyRef env, envFrom secrets, secret volumes)
 * from `dir`, laid out as mounted Kubernetes Secrets: `DIR/SECRET/KEY` files.
 * A missing reference that is not optional, a configMap, or no folder configured is
 * a config error naming it (a step never runs with a secret silently unset).
 */
export async function readStepSecrets(step: PlannedStep, dir: string | null): Promise<StepSecrets> {
  const needs = step.secretEnv.length + step.envFromSecrets.length + step.mounts.length;
  if (needs === 0) return { ok: true, env: {}, files: null, values: [] };
  const configMap = step.mounts.find((mount) => mount.kind === 'configMap');
  if (configMap)
    return { ok: false, message: `configMap ${configMap.source} cannot be mounted on the docker runtime` };
  if (!dir) {
    const name = step.secretEnv[0]?.secretName ?? step.envFromSecrets[0] ?? step.mounts[0]?.source;
    return {
      ok: false,
      message: `the step needs secret ${name}: set BERTH_DOCKER_SECRETS_DIR (a folder of SECRET/KEY files)`,
    };
  }
  const values: string[] = [];
  const read = async (secret: string, key: string): Promise<string | null> => {
    if (!SAFE_NAME.test(secret) || !SAFE_NAME.test(key)) return null;
    const value = await readFile(join(dir, secret, key), 'utf8').catch(() => null);
    if (value !== null) values.push(...value.split(/\r?\n/).filter((line) => line.trim().length >= 4));
    return value;
  };
  const keysOf = async (secret: string): Promise<string[] | null> =>
    SAFE_NAME.test(secret)
      ? ((await readdir(join(dir, secret)).catch(() => null))?.filter((key) => SAFE_NAME.test(key)) ?? null)
      : null;
  const env: Record<string, string> = {};
  for (const name of step.envFromSecrets) {
    const keys = await keysOf(name);
    if (!keys) return { ok: false, message: `secret ${name} not found in BERTH_DOCKER_SECRETS_DIR` };
    for (const key of keys) env[key] = (await read(name, key)) ?? '';
  }
  for (const ref of step.secretEnv) {
    const value = await read(ref.secretName, ref.key);
    if (value !== null) env[ref.name] = value;
    else if (!ref.optional)
      return {
        ok: false,
        message: `secret ${ref.secretName} key ${ref.key} not found in BERTH_DOCKER_SECRETS_DIR`,
      };
  }
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const mount of step.mounts) {
    const keys = mount.items?.map((item) => item.key) ?? (await keysOf(mount.source));
    if (!keys) {
      if (mount.optional) continue;
      return { ok: false, message: `secret ${mount.source} not found in BERTH_DOCKER_SECRETS_DIR` };
    }
    for (const key of mount.subPath !== undefined ? [mount.subPath] : keys) {
      const value = await read(mount.source, key);
      if (value === null) {
        if (mount.optional) continue;
        return {
          ok: false,
          message: `secret ${mount.source} key ${key} not found in BERTH_DOCKER_SECRETS_DIR`,
        };
      }
      const relative = mount.items?.find((item) => item.key === key)?.path ?? key;
      const path = mount.subPath !== undefined ? mount.mountPath : posix.join(mount.mountPath, relative);
      archive.entry({ name: path.replace(/^\/+/, ''), mode: 0o444 }, value);
    }
  }
  archive.finalize();
  await ended;
  return { ok: true, env, files: step.mounts.length > 0 ? Buffer.concat(chunks) : null, values };
}
