import type { ContainerCreateOptions } from 'dockerode';
import type { PlannedStep } from '../../pipeline/types.ts';
import { containerLabels, containerName, SOURCE_GROUP } from './names.ts';

/** Limits and defaults every step container gets, from configuration. */
export interface ContainerSettings {
  /** null: the engine's default network; 'none': no network; else a network name. */
  network: string | null;
  memoryBytes: number | null;
  cpus: number | null;
  pidsLimit: number;
  /** Seconds between the stop signal and SIGKILL. */
  stopGraceSeconds: number;
}

/**
 * Capabilities a step keeps: the engine's defaults minus NET_RAW and MKNOD (as on
 * Kubernetes). The step keeps its image's user; it can neither raise privileges
 * (no-new-privileges) nor forge packets or create devices.
 */
const DROPPED_CAPABILITIES = ['NET_RAW', 'MKNOD'];

/** The create request of one step's container (its source arrives by putArchive before start). */
export function containerSpec(
  build: { id: string; instance: string },
  step: PlannedStep,
  env: Record<string, string>,
  settings: ContainerSettings,
): ContainerCreateOptions & { name: string; Image: string } {
  return {
    name: containerName(build.instance, build.id, step.stage, step.name),
    Image: step.image,
    Entrypoint: step.command,
    Cmd: [],
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    WorkingDir: step.workingDir,
    Labels: containerLabels(build, step),
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    StopTimeout: settings.stopGraceSeconds,
    HostConfig: {
      Privileged: false,
      SecurityOpt: ['no-new-privileges'],
      CapDrop: DROPPED_CAPABILITIES,
      GroupAdd: [String(SOURCE_GROUP)],
      PidsLimit: settings.pidsLimit,
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
      ...(settings.memoryBytes !== null
        ? { Memory: settings.memoryBytes, MemorySwap: settings.memoryBytes }
        : {}),
      ...(settings.cpus !== null ? { NanoCpus: Math.round(settings.cpus * 1e9) } : {}),
      ...(settings.network !== null ? { NetworkMode: settings.network } : {}),
    },
  };
}
