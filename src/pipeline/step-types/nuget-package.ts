import { shq } from '../shell.ts';
import type { PlannedStep } from '../types.ts';
import { baseStep, certificatesMount, type StepContext } from './base.ts';

/** Secret (key `token`) holding the NuGet API key, exposed as NUGET_TOKEN when it exists. */
export const NUGET_SECRET = 'nuget-token';

/** nuget-package: `dotnet pack` with the version set, then `dotnet nuget push` to `repo`. */
export function planNugetPackage(ctx: StepContext): PlannedStep {
  const read = ctx.read;
  const version = read.required('version');
  const project = read.required('project-path');
  const repo = read.required('repo');
  const skipDuplicate = read.bool('skip-duplicate', false);
  const script = [
    'set -eu',
    'out=$(mktemp -d)',
    // Berth: the original's script never passes the version to the package.
    `dotnet pack ${shq(project)} --configuration Release --output "$out" -p:PackageVersion=${shq(version)}`,
    `dotnet nuget push "$out"/*.nupkg --source ${shq(repo)} --api-key "\${NUGET_TOKEN:-}"${skipDuplicate ? ' --skip-duplicate' : ''}`,
  ].join('\n');
  const step = baseStep(ctx, ctx.images.dotnet, ['/bin/sh', '-c', script]);
  step.secretEnv.push({ name: 'NUGET_TOKEN', secretName: NUGET_SECRET, key: 'token', optional: true });
  const certificates = read.string('certificatesMountPath');
  if (certificates) step.mounts.push(certificatesMount(certificates));
  step.tools = ['dotnet'];
  return step;
}
