import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { BuildReporter, Forge } from '../types.ts';
import type { PolicyStore } from './store.ts';

/** What the policy acts through; built per delivery (the forge is per installation/project). */
export interface PolicyDeps {
  forge: Forge;
  builds: BuildService;
  store: PolicyStore;
  logger: Logger;
  /** Writes the "queued" status of a build the policy just requested. */
  reporter?: BuildReporter;
  /** Hold every PR/MR from a fork until `/ok-to-test`, whoever wrote it (both forges set it). */
  holdForks?: boolean;
}

/** What the policy did with one event (logged per delivery, asserted in tests). */
export interface PolicyOutcome {
  action: 'build' | 'hold' | 'skip' | 'cancel' | 'ignore' | 'refuse' | 'duplicate';
  /** Builds requested (or joined) or cancelled. */
  builds: string[];
  reason: string;
}

/** Shorthand for an outcome. */
export const outcome = (
  action: PolicyOutcome['action'],
  reason: string,
  builds: string[] = [],
): PolicyOutcome => ({
  action,
  builds,
  reason,
});
