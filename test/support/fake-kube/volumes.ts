import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Mount } from './container-process.ts';
import { type ConfigSources, objectData } from './expand.ts';
import { fsGroupOf } from './identity.ts';
import type { ContainerJson, KeyToPathJson, PodJson, VolumeJson } from './types.ts';

/** A volume could not be set up (the kubelet's FailedMount message). */
export class MountError extends Error {}

/**
 * Create every pod volume under `podDir/volumes`: emptyDir folders (mode 0777, like
 * the kubelet's; with an fsGroup owned by that group, setgid, so new files join it),
 * secret and configMap files.
 */
export function prepareVolumes(pod: PodJson, podDir: string, sources: ConfigSources): void {
  const fsGroup = fsGroupOf(pod);
  for (const volume of pod.spec.volumes ?? []) {
    const dir = volumeDir(podDir, volume.name);
    mkdirSync(dir, { recursive: true });
    if (volume.emptyDir) {
      if (fsGroup !== null) chownSync(dir, 0, fsGroup);
      chmodSync(dir, fsGroup === null ? 0o777 : 0o2777);
    }
    const projected = projectedData(pod, volume, sources);
    if (projected) writeProjection(dir, projected.data, projected.items);
  }
}

/** The bind mounts of one container, from its volumeMounts. */
export function containerMounts(pod: PodJson, container: ContainerJson, podDir: string): Mount[] {
  return (container.volumeMounts ?? []).map((mount) => {
    const volume = pod.spec.volumes?.find((candidate) => candidate.name === mount.name);
    const source = hostPath(volume) ?? join(volumeDir(podDir, mount.name), mount.subPath ?? '');
    if (mount.subPath) mkdirSync(source, { recursive: true });
    const readOnly = Boolean(mount.readOnly || volume?.secret || volume?.configMap);
    return { source, target: mount.mountPath, readOnly, file: statSync(source).isFile() };
  });
}

function volumeDir(podDir: string, name: string): string {
  return join(podDir, 'volumes', name);
}

function hostPath(volume: VolumeJson | undefined): string | undefined {
  const host = volume?.hostPath as { path?: string } | undefined;
  return host?.path;
}

function projectedData(
  pod: PodJson,
  volume: VolumeJson,
  sources: ConfigSources,
): { data: Record<string, string>; items: KeyToPathJson[] | undefined } | undefined {
  const ref = volume.secret
    ? { store: sources.secrets, kind: 'secret', name: volume.secret.secretName, source: volume.secret }
    : volume.configMap
      ? {
          store: sources.configMaps,
          kind: 'configmap',
          name: volume.configMap.name,
          source: volume.configMap,
        }
      : undefined;
  if (!ref) return undefined;
  const object = ref.store.find(pod.metadata.namespace ?? 'default', ref.name);
  if (!object) {
    if (ref.source.optional) return { data: {}, items: undefined };
    throw new MountError(
      `MountVolume.SetUp failed for volume "${volume.name}" : ${ref.kind} "${ref.name}" not found`,
    );
  }
  return { data: objectData(object), items: ref.source.items };
}

function writeProjection(
  dir: string,
  data: Record<string, string>,
  items: KeyToPathJson[] | undefined,
): void {
  const entries = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const { key, path } of entries) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data[key] ?? '', { mode: 0o644 });
  }
}
