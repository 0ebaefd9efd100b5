import { posix } from 'node:path';
import { fromWhere, toBoolean } from '../fields.ts';
import { ref } from '../substitute.ts';
import type { PlannedStep } from '../types.ts';
import { baseStep, CA_CONFIG_MAP, REPO_DIR, type StepContext } from './base.ts';

const DOCKER_DIR = '/kaniko/.docker';

/** docker: a kaniko build of `file` in `context`, pushed as `destination:tag` per tag. */
export function planDocker(ctx: StepContext): PlannedStep {
  const read = ctx.read;
  const file = read.required('file');
  const tags = splitTags(ctx);
  const destination = read.has('destination') ? read.string('destination') : defaultDestination(ctx);
  const group = read.has('group') ? read.string('group') : (read.variable('REPO_GROUP')?.text ?? '');
  const appendCert = read.bool('append-cert', group.toLowerCase().startsWith('default'));
  const push = read.bool('push', true);
  const args = read.list('args') ?? [];
  const secretArgs = checkSecretArgs(ctx);
  const command = [
    '/kaniko/executor',
    '--dockerfile',
    posix.join(REPO_DIR, file),
    '--context',
    posix.join(REPO_DIR, read.string('context')),
    ...(registryInsecure(ctx) ? ['--insecure', '--skip-tls-verify'] : []),
    ...args.flatMap((arg) => ['--build-arg', arg]),
    ...secretArgs.flatMap(([arg]) => ['--build-arg', arg]),
    ...tags.flatMap((tag) => ['--destination', `${destination}:${tag}`]),
    ...(push ? [] : ['--no-push']),
  ];
  const step = baseStep(ctx, ctx.images.kaniko, command);
  step.env.DOCKER_CONFIG = DOCKER_DIR;
  step.tools = ['/kaniko/executor'];
  const secretName = read.string('secretName');
  for (const [arg, key] of secretArgs) step.secretEnv.push({ name: arg, secretName, key, optional: true });
  const secret = read.has('secret')
    ? read.string('secret')
    : read.variable('REG_SECRET')?.text || 'gitlab-registry';
  if (secret) {
    step.mounts.push({
      name: 'registry-auth',
      kind: 'secret',
      source: secret,
      mountPath: DOCKER_DIR,
      items: [{ key: '.dockerconfigjson', path: 'config.json' }],
      readOnly: true,
      optional: true,
    });
  }
  if (appendCert) {
    step.mounts.push({
      name: 'certificates',
      kind: 'configMap',
      source: CA_CONFIG_MAP,
      mountPath: '/kaniko/ssl/certs',
      readOnly: true,
      optional: true,
    });
  }
  return step;
}

/** `tag` is comma-separated; empty parts are dropped; none left is an error. */
function splitTags(ctx: StepContext): string[] {
  const text = ctx.read.required('tag');
  const tags = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (text !== '' && tags.length === 0) {
    ctx.read.error(ctx.read.posOf('tag'), 'tag', `"tag" resolved to zero tags: "${text}"`);
  }
  return tags;
}

/** `registry/group/REPO_NAME`, plus `/name` when the image name differs from the repository's. */
function defaultDestination(ctx: StepContext): string {
  const read = ctx.read;
  const registry = read.string('registry', ref('REG_URL'));
  const group = read.string('group', ref('REPO_GROUP'));
  const repoName = read.expand(ref('REPO_NAME'), 'destination').text;
  const name = read.string('name') || read.step.name;
  return repoName === name ? `${registry}/${group}/${repoName}` : `${registry}/${group}/${repoName}/${name}`;
}

/** `secretArgs` (`ARG=secret-key`) and `secretName` come together. */
function checkSecretArgs(ctx: StepContext): Array<[string, string]> {
  const read = ctx.read;
  const list = read.list('secretArgs') ?? [];
  const secretName = read.string('secretName');
  const pairs: Array<[string, string]> = [];
  for (const arg of list) {
    const at = arg.indexOf('=');
    const problem =
      at === -1
        ? "missing '='"
        : at === 0
          ? "empty 'ARG'"
          : at === arg.length - 1
            ? "empty 'secret-key'"
            : null;
    if (problem) {
      read.error(
        read.posOf('secretArgs'),
        'secretArgs',
        `invalid secret format: ${problem}, expected 'ARG=secret-key': "${arg}"`,
      );
      continue;
    }
    pairs.push([arg.slice(0, at), arg.slice(at + 1)]);
  }
  if (list.length > 0 && !secretName) {
    read.error(read.posOf('secretArgs'), 'secretArgs', 'found "secretArgs" but "secretName" is missing');
  } else if (list.length === 0 && secretName) {
    read.error(read.posOf('secretName'), 'secretName', 'found "secretName" but "secretArgs" is missing');
  }
  return pairs;
}

/** REG_INSECURE (configuration, WHARF_VAR_REG_INSECURE, …) as a boolean; text "true" counts. */
function registryInsecure(ctx: StepContext): boolean {
  const value = ctx.read.variable('REG_INSECURE');
  if (!value || value.text === '') return false;
  const parsed = toBoolean(value.value);
  if (parsed === null) {
    ctx.read.error(
      ctx.read.step.typePos,
      '',
      `REG_INSECURE must be a boolean, got "${value.text}"${fromWhere(value)}`,
    );
  }
  return parsed ?? false;
}
