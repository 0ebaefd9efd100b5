/** Which parts of the bot a process runs: `all` (default), only the web server, or only a worker. */
export type Role = 'all' | 'web' | 'worker';

export const ROLES: readonly Role[] = ['all', 'web', 'worker'];

export const runsWeb = (role: Role): boolean => role !== 'worker';
export const runsWorker = (role: Role): boolean => role !== 'web';
