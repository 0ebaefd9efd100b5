import type { PlannedStep } from '../types.ts';
import { baseStep, certificatesMount, type StepContext } from './base.ts';

/** container: `cmds` joined into one script, run by `shell -c` in `image`. */
export function planContainer(ctx: StepContext): PlannedStep {
  const read = ctx.read;
  const image = read.required('image');
  const exported: Record<string, string> = {};
  const cmds = read.script('cmds', exported);
  if (cmds === undefined || (cmds.length === 0 && read.step.fields.get('cmds')?.value.kind === 'list')) {
    read.missing('cmds');
  }
  const os = read.string('os', 'linux') || 'linux';
  if (os.toLowerCase() !== 'linux') {
    read.error(read.posOf('os'), 'os', `os "${os}" is not supported: Berth runs Linux containers only`);
  }
  const shell = read.string('shell', '/bin/sh') || '/bin/sh';
  const step = baseStep(ctx, image, [shell, '-c', (cmds ?? []).join('\n')]);
  step.env = { ...exported, ...step.env };
  const secretName = read.string('secretName');
  if (secretName) step.envFromSecrets.push(secretName);
  // The original defaults to the namespace's "default" account; Berth mounts no token unless asked.
  if (read.has('serviceAccount')) step.serviceAccount = read.string('serviceAccount') || null;
  const certificates = read.string('certificatesMountPath');
  if (certificates) step.mounts.push(certificatesMount(certificates));
  return step;
}
