import type { PlannedStep } from '../../pipeline/types.ts';

/**
 * What the local runtime cannot do for `step`, one log line each. The unused image is
 * said once per build and image: `imagesNoted` holds the ones already said.
 */
export function localNotes(step: PlannedStep, imagesNoted: Set<string>): string[] {
  const notes: string[] = [];
  if (!imagesNoted.has(step.image)) {
    imagesNoted.add(step.image);
    notes.push(`image ${step.image} is not used: the local runtime runs the step on this machine`);
  }
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
