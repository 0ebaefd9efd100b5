import type { ForgeUser, Permission, RepoRef } from '../types.ts';
import type { PolicyDeps } from './deps.ts';

/** Admin and write-level collaborators (GitHub maintain included; GitLab Developer+) are trusted. */
export const isTrusted = (permission: Permission): boolean =>
  permission === 'admin' || permission === 'write';

/** The cache key of a user: the forge's id when known (GitLab hooks), else the login. */
const cacheKey = (user: ForgeUser): string => (user.id === undefined ? user.login : `#${user.id}`);

/** The user's permission on the repository, asked of the forge and cached briefly. */
export async function permissionOf(deps: PolicyDeps, repo: RepoRef, user: ForgeUser): Promise<Permission> {
  const cached = await deps.store.cachedPermission(repo, cacheKey(user));
  if (cached) return cached;
  const permission = await deps.forge.permissionOf(repo, user);
  await deps.store.cachePermission(repo, cacheKey(user), permission);
  return permission;
}

/** Whether the user may make Berth build (asks the forge's collaborator permission). */
export async function trusts(deps: PolicyDeps, repo: RepoRef, user: ForgeUser): Promise<boolean> {
  return isTrusted(await permissionOf(deps, repo, user));
}

/** Who caused an event, with the forge's id when the payload carried it. */
export const actorOf = (event: { actor: string; actorId?: number }): ForgeUser =>
  event.actorId === undefined ? { login: event.actor } : { login: event.actor, id: event.actorId };
