import { createHash } from 'node:crypto';
import type { BuildRequest } from './types.ts';

/** Redis key names of build records and their indexes, under one prefix. */
export interface BuildKeys {
  prefix: string;
  build(id: string): string;
  refCounter(request: BuildRequest): string;
  history(repo: string): string;
  recent: string;
  active: string;
  /** Queued/running builds of one repository. */
  activeIn(repo: string): string;
  /** Queued/running builds of one PR/MR or branch (cancel-in-progress). */
  lane(request: BuildRequest): string;
  delivery(deliveryId: string): string;
  dedupe(request: BuildRequest): string;
  cancelled(id: string): string;
}

const digest = (parts: string[]): string => createHash('sha1').update(parts.join('\0')).digest('hex');

/** Key names under `prefix` (default `berth`). */
export function buildKeys(prefix = 'berth'): BuildKeys {
  return {
    prefix,
    build: (id) => `${prefix}:build:${id}`,
    refCounter: (r) => `${prefix}:build-ref:${digest([r.forge, r.repo])}`,
    history: (repo) => `${prefix}:history:${digest([repo])}`,
    recent: `${prefix}:recent`,
    active: `${prefix}:active`,
    activeIn: (repo) => `${prefix}:active:${digest([repo])}`,
    lane: (r) =>
      `${prefix}:lane:${digest([r.forge, r.repo, r.change === undefined ? `ref:${r.ref}` : `change:${r.change}`])}`,
    delivery: (id) => `${prefix}:delivery:${digest([id])}`,
    dedupe: (r) =>
      `${prefix}:dedupe:${digest([r.forge, r.repo, r.sha ?? `ref:${r.ref}`, r.environment ?? ''])}`,
    cancelled: (id) => `${prefix}:cancel-requested:${id}`,
  };
}
