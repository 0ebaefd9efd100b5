/** Which parts of the bot a process runs: `all` (default), only the web server, or only a worker. */
export type Role = 'all' | 'web' | 'worker';

/** Every role, for validating `--role`. */
export const ROLES: readonly Role[] = ['all', 'web', 'worker'];

/** Whether the role serves HTTP. */
export const runsWeb = (role: Role): boolean => role !== 'worker';
/** Whether the role takes builds from the queue. */
export const runsWorker = (role: Role): boolean => role !== 'web';
