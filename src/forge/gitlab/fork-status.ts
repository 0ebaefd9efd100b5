import { ForgeError } from '../../errors.ts';
import type { CommitStatus } from '../../vocab/index.ts';
import type { Forge, RepoRef } from '../types.ts';

/** A merge request whose source branch lives in another project. */
export interface ForkHead {
  source: RepoRef;
  change: number;
}

const STATE_WORDS: Record<CommitStatus['state'], string> = {
  pending: 'pending',
  running: 'running',
  success: 'passed',
  failure: 'failed',
  error: 'errored',
  cancelled: 'cancelled',
};

/**
 * The forge as seen for one fork merge request: a commit status goes to the source
 * project, else the target project, else (the token reaches neither) a note on the MR.
 * Errors that may pass (5xx, 429, no answer) are thrown, not worked around.
 */
export function forkAware(forge: Forge, fork: ForkHead | null): Forge {
  if (!fork) return forge;
  return {
    name: forge.name,
    readFile: (...args) => forge.readFile(...args),
    upsertComment: (...args) => forge.upsertComment(...args),
    permissionOf: (...args) => forge.permissionOf(...args),
    ...(forge.getChange ? { getChange: forge.getChange.bind(forge) } : {}),
    ...(forge.openChangesAt ? { openChangesAt: forge.openChangesAt.bind(forge) } : {}),
    ...(forge.getCommit ? { getCommit: forge.getCommit.bind(forge) } : {}),
    async setStatus(repo, sha, status, signal) {
      // In the target project the fork's head is on no branch, only on the MR's ref.
      const tries = [
        { project: fork.source, status },
        { project: repo, status: { ...status, ref: `refs/merge-requests/${fork.change}/head` } },
      ];
      for (const attempt of tries) {
        try {
          await forge.setStatus(attempt.project, sha, attempt.status, signal);
          return;
        } catch (error) {
          if (!(error instanceof ForgeError) || error.retryable) throw error;
        }
      }
      const marker = `<!-- berth:status:${status.context} -->`;
      await forge.upsertComment(repo, fork.change, { marker, body: statusNote(marker, sha, status) }, signal);
    },
  };
}

function statusNote(marker: string, sha: string, status: CommitStatus): string {
  const link = status.targetUrl ? ` ([build](${status.targetUrl}))` : '';
  return `${marker}\n**${status.context}** ${STATE_WORDS[status.state]} at ${sha.slice(0, 8)}: ${status.description}${link}`;
}
