/** The forges Berth speaks to; `local` is `berth run` and `POST /api/builds` on a folder. */
export const forgeNames = ['github', 'gitlab', 'local'] as const;
export type ForgeName = (typeof forgeNames)[number];

export const commitStates = ['pending', 'running', 'success', 'failure', 'error', 'cancelled'] as const;
export type CommitState = (typeof commitStates)[number];

/** One commit status as Berth writes it; each forge maps `state` onto its own words. */
export interface CommitStatus {
  state: CommitState;
  /** `berth` or `berth/<environment>`. */
  context: string;
  /** At most 140 characters (GitHub's limit); the reporter shortens. */
  description: string;
  targetUrl?: string;
  /**
   * Branch or tag the sha is built for. GitLab needs it (`ref`) when the sha is on no
   * branch (tags, fork MR heads: 404 "References for commit"); GitHub has no such field.
   */
  ref?: string;
}
