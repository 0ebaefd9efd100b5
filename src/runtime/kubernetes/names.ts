import { createHash } from 'node:crypto';

/** Label keys Berth puts on every pod it creates. */
export const LABELS = {
  build: 'berth.dev/build',
  stage: 'berth.dev/stage',
  step: 'berth.dev/step',
  instance: 'berth.dev/instance',
} as const;

/** Annotation holding the unsanitized build id (labels may be shortened). */
export const BUILD_ID_ANNOTATION = 'berth.dev/build-id';

/** Container names inside a step pod. */
export const CONTAINERS = { source: 'berth-source', step: 'step' } as const;

const MAX_NAME = 63;

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

const sanitize = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * Deterministic DNS-1123 pod name for a step: readable prefix plus a hash of the exact
 * triple; a run after an infrastructure failure (`attempt` 1, 2…) gets its own name.
 */
export function podName(buildId: string, stage: string, step: string, attempt = 0): string {
  const key = attempt > 0 ? [buildId, stage, step, attempt] : [buildId, stage, step];
  const hash = shortHash(JSON.stringify(key));
  const readable = sanitize(`berth-${buildId}-${stage}-${step}`)
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/-+$/, '');
  return `${readable}-${hash}`;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A valid label value for `text`: itself when valid, else a sanitized prefix plus a hash. */
export function labelValue(text: string): string {
  if (text.length <= MAX_NAME && LABEL_VALUE.test(text)) return text;
  const hash = shortHash(text);
  const readable = sanitize(text)
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/-+$/, '');
  return readable ? `${readable}-${hash}` : hash;
}

/** Label selector matching every pod of one build of one instance. */
export const buildSelector = (instance: string, buildId: string): string =>
  `${LABELS.instance}=${labelValue(instance)},${LABELS.build}=${labelValue(buildId)}`;

/** Label selector matching every pod of one Berth instance. */
export const instanceSelector = (instance: string): string => `${LABELS.instance}=${labelValue(instance)}`;
