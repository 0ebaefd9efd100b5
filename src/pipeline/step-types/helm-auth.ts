import { shq } from '../shell.ts';
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

/** sh lines setting `$user`/`$pass` from the mounted secret (empty when it is absent). */
export function credentialLines(): string[] {
  return [
    'user= pass=',
    `if [ -f ${HELM_AUTH_DIR}/username ]; then user=$(cat ${HELM_AUTH_DIR}/username); pass=$(cat ${HELM_AUTH_DIR}/password); fi`,
  ];
}

/** sh lines logging helm in to the registry of an `oci://` reference when credentials exist. */
export function ociLoginLines(reference: string): string[] {
  const host = reference.replace(/^oci:\/\//, '').split('/')[0] ?? '';
  return [
    ...credentialLines(),
    `if [ -n "$user" ]; then printf '%s' "$pass" | helm registry login ${shq(host)} --username "$user" --password-stdin; fi`,
  ];
}
