import type { BuildState, ForgeName } from '../vocab/index.ts';
import type { BuildRecord, BuildRequest } from './types.ts';

export interface BuildFilter {
  /** One build by id (the web page's cancel button). */
  id?: string;
  forge?: ForgeName;
  repo?: string;
  sha?: string;
  change?: number;
  ref?: string;
  status?: BuildState[];
  limit?: number;
}

/**
 * The queue's face towards ingress (forges, POST /api/builds, web buttons).
 * Implemented in src/queue/ on BullMQ + Redis.
 */
export interface BuildService {
  /**
   * Queues a build. Joins an existing queued/running build for the same
   * (forge, repo, sha, environment) unless `request.rerun`; the same deliveryId
   * never makes two builds. Cancels older builds of the same PR/MR or branch.
   */
  request(request: BuildRequest): Promise<{ id: string; joined: boolean }>;
  /** Cancels queued and running builds matching the filter, from any process. Returns their ids. */
  cancel(filter: BuildFilter, reason: string): Promise<string[]>;
  get(id: string): Promise<BuildRecord | null>;
  /** Newest first. */
  list(filter: BuildFilter): Promise<BuildRecord[]>;
}
