import type { PlannedStep } from '../../pipeline/types.ts';

/** What the local runtime cannot do for `step`, one log line each. */
export function localNotes(step: PlannedStep): string[] {
  const notes = [`image ${step.image} is not used: the local runtime runs the step on this machine`];
  for (const env of step.secretEnv) {
    notes.push(
      `env ${env.name} comes from secret ${env.secretName} key ${env.key}, which cannot be read locally: unset`,
    );
  }
  for (const secret of step.envFromSecrets) {
    notes.push(`env from secret ${secret} cannot be read locally: not set`);
  }
  for (const mount of step.mounts) {
    notes.push(`${mount.kind} ${mount.source} is not mounted at ${mount.mountPath} locally`);
  }
  return notes;
}
