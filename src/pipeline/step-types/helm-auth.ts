import type { PlannedMount } from '../types.ts';

/** Where the chart repository secret (keys `username`, `password`) is mounted. */
export const HELM_AUTH_DIR = '/var/run/berth/helm-repo';

/** The chart repository secret, mounted only by reference. */
export function helmAuthMount(secret: string): PlannedMount {
  return {
    name: 'helm-repo-auth',
    kind: 'secret',
    source: secret,
    mountPath: HELM_AUTH_DIR,
    readOnly: true,
    optional: true,
  };
}

/** sh lines appending `--username/--password` from the mounted secret when it holds them. */
export function helmAuthLines(): string[] {
  return [
    `if [ -f ${HELM_AUTH_DIR}/username ]; then`,
    `  set -- "$@" --username "$(cat ${HELM_AUTH_DIR}/username)" --password "$(cat ${HELM_AUTH_DIR}/password)"`,
    'fi',
  ];
}
