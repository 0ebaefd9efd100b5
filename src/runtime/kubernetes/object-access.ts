import type { V1ObjectMeta } from '@kubernetes/client-node';
import { ConfigError } from '../../errors.ts';
import type { BuildPlan, PlannedStep } from '../../pipeline/types.ts';
import type { RepositoryId } from '../types.ts';
import { httpStatusOf } from './api.ts';
import type { ObjectKind, ObjectReader } from './object-reads.ts';

/**
 * Which repositories may use which objects (BERTH_REPO_SECRETS): a key is
 * `forge:owner/name`, or `forge:owner/*` for everything under a group; a value lists
 * `kind/name` (kind secret, configmap or serviceaccount).
 */
export type RepoObjectGrants = Readonly<Record<string, readonly string[]>>;

/** Label naming the repository an object is for: `<owner>.<name>` (GitLab: `group.sub.project`). */
export const REPO_LABEL = 'berth.dev/repo';
/** Optional label that narrows REPO_LABEL to one forge (`github`, `gitlab`). */
export const FORGE_LABEL = 'berth.dev/forge';
/** Annotation listing repositories exactly (`github:acme/app gitlab:group/sub/project`), for names a label cannot hold. */
export const REPOS_ANNOTATION = 'berth.dev/repositories';

/** The namespace's default service account: Berth's deploy/ grants it nothing. */
const ALWAYS_ALLOWED_ACCOUNT = 'default';

interface ObjectRef {
  kind: ObjectKind;
  name: string;
}

/** Everything a step names in the namespace. */
function objectsOf(step: PlannedStep): ObjectRef[] {
  const refs: ObjectRef[] = [
    ...step.secretEnv.map((ref) => ({ kind: 'secret' as const, name: ref.secretName })),
    ...step.envFromSecrets.map((name) => ({ kind: 'secret' as const, name })),
    ...step.mounts.map((mount) => ({
      kind: mount.kind === 'secret' ? ('secret' as const) : ('configmap' as const),
      name: mount.source,
    })),
  ];
  if (step.serviceAccount !== null && step.serviceAccount !== ALWAYS_ALLOWED_ACCOUNT) {
    refs.push({ kind: 'serviceaccount', name: step.serviceAccount });
  }
  const seen = new Set<string>();
  return refs.filter((ref) => !seen.has(`${ref.kind}/${ref.name}`) && seen.add(`${ref.kind}/${ref.name}`));
}

/** `owner/name` as a label value: `owner.name`; null when it cannot be one (too long, odd characters). */
export function repoLabelValue(repo: string): string | null {
  const value = repo.replaceAll('/', '.');
  return /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(value) ? value : null;
}

function grantedByConfig(grants: RepoObjectGrants, repository: RepositoryId, ref: ObjectRef): boolean {
  const full = `${repository.forge}:${repository.repo}`;
  for (const [pattern, objects] of Object.entries(grants)) {
    const matches = pattern.endsWith('/*') ? full.startsWith(pattern.slice(0, -1)) : pattern === full;
    if (matches && objects.includes(`${ref.kind}/${ref.name}`)) return true;
  }
  return false;
}

function grantedByMetadata(meta: V1ObjectMeta | undefined, repository: RepositoryId): boolean {
  const listed = (meta?.annotations?.[REPOS_ANNOTATION] ?? '').split(/[\s,]+/);
  if (listed.includes(`${repository.forge}:${repository.repo}`)) return true;
  const label = meta?.labels?.[REPO_LABEL];
  const forge = meta?.labels?.[FORGE_LABEL];
  return (
    label !== undefined && label === repoLabelValue(repository.repo) && (!forge || forge === repository.forge)
  );
}

/** The object's metadata, null when it does not exist; a 403 says which permission is missing. */
async function readMeta(read: ObjectReader, namespace: string, ref: ObjectRef): Promise<V1ObjectMeta | null> {
  try {
    return (await read(ref.kind, ref.name))?.metadata ?? null;
  } catch (error) {
    if (httpStatusOf(error) === 403) {
      throw new ConfigError(
        `Berth may not read ${ref.kind}s in namespace ${namespace} to check which repository may use "${ref.name}": grant the worker get on secrets, configmaps and serviceaccounts there (deploy/rbac.yaml)`,
        error,
      );
    }
    throw error;
  }
}

const KIND_WORD: Record<ObjectKind, string> = {
  secret: 'secret',
  configmap: 'config map',
  serviceaccount: 'service account',
};

function refusal(ref: ObjectRef, repository: RepositoryId): string {
  const who = `${repository.forge}:${repository.repo}`;
  const what = `${KIND_WORD[ref.kind]} "${ref.name}"`;
  const label = repoLabelValue(repository.repo);
  const how = label
    ? `label it ${REPO_LABEL}=${label}, annotate it ${REPOS_ANNOTATION}="${who}"`
    : `annotate it ${REPOS_ANNOTATION}="${who}"`;
  return `${what} is not granted to ${who}: ${how}, or list "${ref.kind}/${ref.name}" for it in BERTH_REPO_SECRETS`;
}

/**
 * The steps of `plan` that name an object their repository may not use, each with the
 * message its step fails with; checked before any pod exists. An object is granted by
 * BERTH_REPO_SECRETS, or by its own label/annotation naming the repository. One
 * metadata read per object the config does not grant.
 */
export async function deniedSteps(
  plan: BuildPlan,
  repository: RepositoryId,
  options: { read: ObjectReader; namespace: string; grants: RepoObjectGrants },
): Promise<Map<PlannedStep, string>> {
  const verdicts = new Map<string, string | null>();
  const verdict = async (ref: ObjectRef): Promise<string | null> => {
    const key = `${ref.kind}/${ref.name}`;
    if (verdicts.has(key)) return verdicts.get(key) ?? null;
    let refused: string | null = null;
    if (!grantedByConfig(options.grants, repository, ref)) {
      const meta = await readMeta(options.read, options.namespace, ref);
      // A missing object lends nothing: the pod fails on it as before (unless it is optional).
      if (meta !== null && !grantedByMetadata(meta, repository)) {
        refused = refusal(ref, repository);
      }
    }
    verdicts.set(key, refused);
    return refused;
  };
  const denied = new Map<PlannedStep, string>();
  for (const step of plan.stages.flatMap((stage) => stage.steps)) {
    for (const ref of objectsOf(step)) {
      const refused = await verdict(ref);
      if (refused) {
        denied.set(step, refused);
        break;
      }
    }
  }
  return denied;
}
