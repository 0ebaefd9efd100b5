import type { RepoRef } from '../types.ts';

/** A project in API calls: its numeric id when known, else its `group/project` path. */
export const projectOf = (repo: RepoRef): number | string => repo.projectId ?? repo.repo;
