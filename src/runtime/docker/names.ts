import { createHash } from 'node:crypto';
import { LABELS, labelValue } from '../kubernetes/names.ts';

export { LABELS };

/** Label holding the exact build id (the `berth.dev/build` label may be shortened). */
export const BUILD_ID_LABEL = 'berth.dev/build-id';

/**
 * Label naming one build of one instance with a single value: engines differ in how
 * they combine several label filters (Docker: all must match; Podman 4: any), so the
 * build's event stream filters on this one and checks the rest itself.
 */
export const BUILD_KEY_LABEL = 'berth.dev/build-key';

/** The value of BUILD_KEY_LABEL for a build. */
export const buildKey = (instance: string, buildId: string): string =>
  createHash('sha256').update(`${instance}\0${buildId}`).digest('hex').slice(0, 32);

/** Label naming the process that runs a container (`host:pid`), for the reaper. */
export const OWNER_LABEL = 'berth.dev/owner';

/** The gid every step container gets besides its image's user: its source belongs to it. */
export const SOURCE_GROUP = 65532;

const sanitize = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-_.]+|-+$/g, '');

/** A readable, unique container name for one step of one build of one instance. */
export function containerName(instance: string, buildId: string, stage: string, step: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([instance, buildId, stage, step]))
    .digest('hex');
  return `${sanitize(`berth-${buildId}-${stage}-${step}`).slice(0, 100)}-${hash.slice(0, 10)}`;
}

/** The labels of a step container. */
export function containerLabels(
  build: { id: string; instance: string },
  step: { stage: string; name: string },
): Record<string, string> {
  return {
    [LABELS.instance]: labelValue(build.instance),
    [LABELS.build]: labelValue(build.id),
    [LABELS.stage]: labelValue(step.stage),
    [LABELS.step]: labelValue(step.name),
    [BUILD_ID_LABEL]: build.id,
    [BUILD_KEY_LABEL]: buildKey(build.instance, build.id),
  };
}

/** The one label filter selecting one build's containers. */
export const buildFilter = (instance: string, buildId: string): string =>
  `${BUILD_KEY_LABEL}=${buildKey(instance, buildId)}`;

/** The one label filter selecting an instance's containers. */
export const instanceFilter = (instance: string): string => `${LABELS.instance}=${labelValue(instance)}`;
