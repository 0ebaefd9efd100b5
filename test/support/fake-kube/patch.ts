import { isDeepStrictEqual } from 'node:util';
import { badRequest, StatusError } from './status.ts';
import type { KubeObject } from './types.ts';

/** One RFC 6902 operation. */
interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

/** Apply a PATCH body by content type: JSON patch, or merge patch (strategic merge is treated as merge). */
export function applyPatch(object: KubeObject, contentType: string, body: unknown): KubeObject {
  if (contentType.includes('json-patch')) {
    if (!Array.isArray(body))
      throw badRequest('the server rejected our request due to an error in our request');
    const result = structuredClone(object) as unknown as Record<string, unknown>;
    for (const op of body as JsonPatchOp[]) applyOp(result, op);
    return result as unknown as KubeObject;
  }
  if (contentType.includes('merge-patch') || contentType.includes('strategic-merge-patch')) {
    return mergePatch(object, body) as KubeObject;
  }
  throw new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
  );
}

/** Reject pod updates that change an immutable part of the spec, like the API server. */
export function checkPodUpdate(before: KubeObject, after: KubeObject): void {
  const strip = (object: KubeObject) => {
    const { activeDeadlineSeconds: _deadline, ...spec } = (object.spec ?? {}) as Record<string, unknown>;
    return spec;
  };
  if (!isDeepStrictEqual(strip(before), strip(after))) {
    const name = before.metadata.name ?? '';
    throw new StatusError(
      422,
      'Invalid',
      `Pod "${name}" is invalid: spec: Forbidden: pod updates may not change fields other than \`spec.containers[*].image\`,\`spec.initContainers[*].image\`,\`spec.activeDeadlineSeconds\`,\`spec.tolerations\` (only additions to existing tolerations),\`spec.terminationGracePeriodSeconds\` (allow it to be set to 1 if it was previously negative)`,
      { name, kind: 'Pod' },
    );
  }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function applyOp(root: Record<string, unknown>, op: JsonPatchOp): void {
  const parts = op.path
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = parts.pop();
  if (last === undefined) throw badRequest(`invalid JSON patch path ${op.path}`);
  let parent: unknown = root;
  for (const part of parts) {
    parent = (parent as Record<string, unknown> | undefined)?.[part];
    if (parent === null || typeof parent !== 'object') throw badRequest(`doc is missing path: "${op.path}"`);
  }
  const container = parent as Record<string, unknown>;
  if (op.op === 'add' || op.op === 'replace') {
    if (Array.isArray(container) && last === '-') container.push(op.value);
    else container[last] = op.value;
  } else if (op.op === 'remove') {
    if (!(last in container)) throw badRequest(`doc is missing path: "${op.path}"`);
    if (Array.isArray(container)) container.splice(Number(last), 1);
    else delete container[last];
  } else if (op.op === 'test') {
    if (!isDeepStrictEqual(container[last], op.value))
      throw new StatusError(422, 'Invalid', `testing value ${op.path} failed`);
  } else {
    throw badRequest(`unsupported JSON patch operation ${op.op}`);
  }
}
