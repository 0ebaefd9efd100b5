import type { PlannedStep } from '../../pipeline/types.ts';
import type { RepositoryId } from '../types.ts';

/** Which repositories may use which secrets (BERTH_REPO_SECRETS: `forge:owner/name` or `forge:owner/*` → `secret/NAME`). */
export type SecretGrants = Readonly<Record<string, readonly string[]>>;

const granted = (grants: SecretGrants, repository: RepositoryId, name: string): boolean => {
  const full = `${repository.forge}:${repository.repo}`;
  return Object.entries(grants).some(
    ([pattern, objects]) =>
      (pattern.endsWith('/*') ? full.startsWith(pattern.slice(0, -1)) : pattern === full) &&
      objects.includes(`secret/${name}`),
  );
};

/**
 * Why a bot build's step may not run: it names a secret of the secrets folder that
 * BERTH_REPO_SECRETS does not grant to its repository (deny by default; the folder has
 * no labels to grant with). Null when every secret it names is granted.
 */
export function refusedSecret(
  step: PlannedStep,
  repository: RepositoryId,
  grants: SecretGrants,
): string | null {
  const names = [
    ...step.secretEnv.map((ref) => ref.secretName),
    ...step.envFromSecrets,
    ...step.mounts.filter((mount) => mount.kind === 'secret').map((mount) => mount.source),
  ];
  const who = `${repository.forge}:${repository.repo}`;
  const name = names.find((secret) => !granted(grants, repository, secret));
  return name === undefined
    ? null
    : `secret "${name}" is not granted to ${who}: list "secret/${name}" for it in BERTH_REPO_SECRETS`;
}
