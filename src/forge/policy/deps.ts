import type { Logger } from 'pino';
import type { BuildService } from '../../builds/service.ts';
import type { BuildReporter, Forge } from '../types.ts';
import type { PolicyStore } from './store.ts';

/**
 * The forge as the policy sees it: it reads, asks and replies, but never writes a
 * commit status itself; every status goes through the reporter's gate.
 */
export type PolicyForge = Omit<Forge, 'setStatus'>;

/** What the policy acts through; built per delivery (the forge is per installation/project). */
export interface PolicyDeps {
  forge: PolicyForge;
  builds: BuildService;
  store: PolicyStore;
  logger: Logger;
  /**
   * The one gate for statuses: the "queued" status of a build the policy requested and
   * its notices (waiting for approval, skipped, no pipeline), past the same lock and
   * "is this newer" check as every build's status.
   */
  reporter: BuildReporter;
  /** When the delivery was accepted (ISO 8601): the policy's notices are as of then (default: now). */
  receivedAt?: string;
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
