import type { Config } from '../config/load.ts';

/** Start-up lines about the forges: which are on, and which variables turn the others on. */
export function forgeStatusLines(
  config: Readonly<Config>,
  enabled: Array<{ name: string; enabledBy: string }>,
) {
  const lines = enabled.map((p) => ({ forge: p.name, enabled: true, by: p.enabledBy }));
  const names = new Set(enabled.map((p) => p.name));
  if (!names.has('github')) {
    lines.push({
      forge: 'github',
      enabled: false,
      by: config.github
        ? 'configured, but this build has no GitHub support'
        : 'set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET',
    });
  }
  if (!names.has('gitlab')) {
    lines.push({
      forge: 'gitlab',
      enabled: false,
      by: config.gitlab
        ? 'configured, but this build has no GitLab support'
        : 'set GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET (and GITLAB_URL)',
    });
  }
  return lines;
}
