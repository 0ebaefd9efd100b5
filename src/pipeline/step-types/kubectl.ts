import type { PlannedStep } from '../types.ts';
import { baseStep, KUBE_DIR, kubeconfigMount, type StepContext } from './base.ts';
import { repoFiles } from './repo-files.ts';

/** kubectl: `kubectl ACTION [--force] [-n NS] -f FILE…` on the listed manifests. */
export function planKubectl(ctx: StepContext): PlannedStep {
  const read = ctx.read;
  const file = read.string('file');
  const listed = read.list('files') ?? [];
  if (listed.length === 0 && !file) {
    read.error(read.step.typePos, 'file', 'missing required field: "file" or "files"');
  }
  const files = [...repoFiles(read, 'files', listed), ...repoFiles(read, 'file', file ? [file] : [])];
  const namespace = read.string('namespace');
  const action = read.string('action', 'apply') || 'apply';
  const force = read.bool('force', false);
  const cluster = read.string('cluster', 'kubectl-config') || 'kubectl-config';
  const command = [
    'kubectl',
    action,
    ...(force ? ['--force'] : []),
    ...(namespace ? ['-n', namespace] : []),
    ...files.flatMap((f) => ['-f', f]),
  ];
  const step = baseStep(ctx, ctx.images.kubectl, command);
  step.env.KUBECONFIG = `${KUBE_DIR}/config`;
  step.mounts.push(kubeconfigMount(cluster));
  step.source = { kind: 'files', files: files.map((path) => ({ path, substitute: true })) };
  step.tools = ['kubectl'];
  return step;
}
