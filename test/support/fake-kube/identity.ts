import type { ContainerJson, PodJson } from './types.ts';

/** Who a container's processes (and its exec sessions) run as. */
export interface Identity {
  uid: number;
  gid: number;
  /** Supplementary groups: the pod's fsGroup and supplementalGroups. */
  groups: number[];
}

/**
 * Images whose Dockerfile ends in a non-root `USER` (uid:gid); every other image
 * runs as root, like most build images.
 * - `berth.test/nonroot`: uid 1000, gid 1000.
 */
const IMAGE_USERS: Record<string, { uid: number; gid: number }> = {
  'berth.test/nonroot': { uid: 1000, gid: 1000 },
};

interface SecurityContextJson {
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  supplementalGroups?: number[];
}

/** The kubelet's order: the container's securityContext, then the pod's, then the image's USER. */
export function containerIdentity(pod: PodJson, container: ContainerJson): Identity {
  const own = (container.securityContext ?? {}) as SecurityContextJson;
  const podLevel = (pod.spec.securityContext ?? {}) as SecurityContextJson;
  const image = IMAGE_USERS[(container.image ?? '').replace(/@.*$/, '').replace(/:[^/]*$/, '')];
  const uid = own.runAsUser ?? podLevel.runAsUser ?? image?.uid ?? 0;
  const gid = own.runAsGroup ?? podLevel.runAsGroup ?? image?.gid ?? 0;
  const groups = [
    ...(podLevel.fsGroup === undefined ? [] : [podLevel.fsGroup]),
    ...(podLevel.supplementalGroups ?? []),
  ];
  return { uid, gid, groups };
}

/** The pod's fsGroup, which owns its emptyDir volumes, or null. */
export function fsGroupOf(pod: PodJson): number | null {
  return ((pod.spec.securityContext ?? {}) as SecurityContextJson).fsGroup ?? null;
}

/** Words that run a command as `identity` (util-linux setpriv); none for plain root. */
export function asIdentity(identity: Identity): string[] {
  const { uid, gid, groups } = identity;
  if (uid === 0 && gid === 0 && groups.length === 0) return [];
  const supplementary = groups.length > 0 ? `--groups=${groups.join(',')}` : '--clear-groups';
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, supplementary, '--'];
}
