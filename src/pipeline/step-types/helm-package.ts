import { shq } from '../shell.ts';
import { ref } from '../substitute.ts';
import type { PlannedStep } from '../types.ts';
import { baseStep, type StepContext } from './base.ts';
import { credentialLines, helmAuthMount, ociLoginLines } from './helm-auth.ts';

/** helm-package: `helm package` of `chart-path`, pushed to `destination` (OCI or ChartMuseum). */
export function planHelmPackage(ctx: StepContext): PlannedStep {
  const read = ctx.read;
  const version = read.string('version');
  // Berth: the original's docs promise the repo root as default; its script fails without one.
  const chartPath = read.string('chart-path') || '.';
  const destination = read.has('destination')
    ? read.string('destination')
    : read.expand(`${ref('CHART_REPO')}/${ref('REPO_GROUP')}`, 'destination').text;
  if (destination === '') read.missing('destination');
  const secret = read.has('secret') ? read.string('secret') : (read.variable('HELM_REG_SECRET')?.text ?? '');
  const script = [
    'set -eu',
    'out=$(mktemp -d)',
    `helm package ${shq(chartPath)} --destination "$out"${version ? ` --version ${shq(version)}` : ''}`,
    'chart=$(ls "$out"/*.tgz)',
    ...(destination.startsWith('oci://')
      ? ociPush(destination, secret)
      : chartMuseumPush(destination, secret)),
  ].join('\n');
  const step = baseStep(ctx, ctx.images.helm, ['/bin/sh', '-c', script]);
  if (secret) step.mounts.push(helmAuthMount(secret));
  step.tools = ['helm'];
  return step;
}

function ociPush(destination: string, secret: string): string[] {
  return [...(secret ? ociLoginLines(destination) : []), `helm push "$chart" ${shq(destination)}`];
}

/** The cm-push plugin when the image has it, else ChartMuseum's upload API. */
function chartMuseumPush(destination: string, secret: string): string[] {
  const api = shq(`${destination.replace(/\/+$/, '')}/api/charts`);
  return [
    ...(secret ? credentialLines() : ['user= pass=']),
    "if helm plugin list | grep -q '^cm-push'; then",
    `  helm cm-push "$chart" ${shq(destination)} \${user:+--username} \${user:+"$user"} \${user:+--password} \${user:+"$pass"}`,
    'else',
    `  curl -fsS --data-binary "@$chart" \${user:+-u} \${user:+"$user:$pass"} ${api}`,
    'fi',
  ];
}
