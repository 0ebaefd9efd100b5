import type { Permission, RepoRef } from '../types.ts';
import type { PolicyDeps } from './deps.ts';

/** Admin and write-level collaborators (GitHub maintain included; GitLab Developer+) are trusted. */
export const isTrusted = (permission: Permission): boolean =>
  permission === 'admin' || permission === 'write';

/** The user's permission on the repository, asked of the forge and cached briefly. */
export async function permissionOf(deps: PolicyDeps, repo: RepoRef, user: string): Promise<Permission> {
  const cached = await deps.store.cachedPermission(repo, user);
  if (cached) return cached;
  const permission = await deps.forge.permissionOf(repo, user);
  await deps.store.cachePermission(repo, user, permission);
  return permission;
}

/** Whether the user may make Berth build (asks the forge's collaborator permission). */
export async function trusts(deps: PolicyDeps, repo: RepoRef, user: string): Promise<boolean> {
  return isTrusted(await permissionOf(deps, repo, user));
}
