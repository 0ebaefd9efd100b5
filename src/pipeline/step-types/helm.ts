import { shJoin } from '../shell.ts';
import { ref } from '../substitute.ts';
import type { PlannedStep } from '../types.ts';
import { baseStep, KUBE_DIR, kubeconfigMount, type StepContext, withTag } from './base.ts';
import { credentialLines, helmAuthMount, ociLoginLines } from './helm-auth.ts';
import { repoFiles } from './repo-files.ts';

/** The original's alias for the old stable chart repository. */
const STAGE_REPO = 'https://kubernetes-charts.storage.googleapis.com';

/** helm: `helm upgrade --install NAME CHART` with repo, version, `--set` and values files. */
export function planHelm(ctx: StepContext): PlannedStep {
  const read = ctx.read;
  const chart = read.required('chart');
  const name = read.required('name');
  const namespace = read.required('namespace');
  const repo = helmRepo(ctx);
  const chartVersion = read.string('chartVersion');
  const files = repoFiles(read, 'files', read.list('files') ?? []);
  const sets = read.map('set');
  const cluster = read.string('cluster', 'kubectl-config') || 'kubectl-config';
  const secret = read.has('secret') ? read.string('secret') : (read.variable('HELM_REG_SECRET')?.text ?? '');
  const oci = repo.startsWith('oci://');
  const args = [
    'upgrade',
    '--install',
    name,
    oci ? `${repo.replace(/\/+$/, '')}/${chart}` : chart,
    '--namespace',
    namespace,
    ...(repo && !oci ? ['--repo', repo] : []),
    ...(chartVersion ? ['--version', chartVersion] : []),
    // Berth: the original drops `set`.
    ...sets.flatMap(([key, value]) => ['--set', `${key}=${value}`]),
    ...files.flatMap((file) => ['-f', file]),
  ];
  const script = [
    'set -eu',
    `set -- ${shJoin(args)}`,
    'echo "$ helm $*"',
    ...(secret ? authLines(oci ? repo : null) : []),
    'exec helm "$@"',
  ].join('\n');
  const step = baseStep(ctx, helmImage(ctx), ['/bin/sh', '-c', script]);
  step.env.KUBECONFIG = `${KUBE_DIR}/config`;
  step.mounts.push(kubeconfigMount(cluster));
  if (secret) step.mounts.push(helmAuthMount(secret));
  step.source = { kind: 'files', files: files.map((path) => ({ path, substitute: true })) };
  step.tools = ['helm'];
  return step;
}

/** OCI registries get a `helm registry login`; chart repositories `--username/--password`. */
function authLines(ociRepo: string | null): string[] {
  if (ociRepo) return ociLoginLines(ociRepo);
  return [
    ...credentialLines(),
    'if [ -n "$user" ]; then set -- "$@" --username "$user" --password "$pass"; fi',
  ];
}

function helmRepo(ctx: StepContext): string {
  const read = ctx.read;
  const repo = read.has('repo')
    ? read.string('repo')
    : read.expand(`${ref('CHART_REPO')}/${ref('REPO_GROUP')}`, 'repo').text;
  if (repo !== 'stage') return repo;
  read.warning(read.posOf('repo'), 'repo', `repo "stage" means ${STAGE_REPO}, which no longer serves charts`);
  return STAGE_REPO;
}

/** The configured helm image; `helmVersion` (Helm 3) picks its tag. */
function helmImage(ctx: StepContext): string {
  const version = ctx.read.string('helmVersion');
  if (!version) return ctx.images.helm;
  if (/^v?[012]\./.test(version)) {
    const message = `helmVersion "${version}" is Helm 2, which is end-of-life; the configured image ${ctx.images.helm} is used`;
    ctx.read.warning(ctx.read.posOf('helmVersion'), 'helmVersion', message);
    return ctx.images.helm;
  }
  return withTag(ctx.images.helm, version.replace(/^v/, ''));
}
