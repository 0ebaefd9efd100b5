import type { Logger } from 'pino';
import { BerthError } from '../../errors.ts';
import { createRedactor } from '../../logs/redact.ts';
import type { StepOutput } from '../../logs/types.ts';
import type { BuildPlan } from '../../pipeline/types.ts';
import { httpStatusOf } from './api.ts';
import type { ObjectReader } from './object-reads.ts';

/** Lines of a multi-line secret shorter than this are structure (`}`, `data:`), not secret on their own. */
const MIN_PART_CHARS = 8;

/** Reading a referenced Secret for redaction failed (e.g. RBAC without `secrets get`). */
class SecretReadError extends BerthError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, reason: 'config', cause });
  }
}

/** Which keys of which Secrets a plan references: null = every key of that Secret. */
function referencedSecrets(plan: BuildPlan): Map<string, Set<string> | null> {
  const wanted = new Map<string, Set<string> | null>();
  const whole = (name: string) => wanted.set(name, null);
  const key = (name: string, item: string) => {
    const keys = wanted.get(name);
    if (keys === null) return;
    wanted.set(name, (keys ?? new Set()).add(item));
  };
  for (const step of plan.stages.flatMap((stage) => stage.steps)) {
    for (const ref of step.secretEnv) key(ref.secretName, ref.key);
    for (const name of step.envFromSecrets) whole(name);
    for (const mount of step.mounts) {
      if (mount.kind !== 'secret') continue;
      if (mount.items) for (const item of mount.items) key(mount.source, item.key);
      else whole(mount.source);
    }
  }
  return wanted;
}

/**
 * Reads the values of the Secrets the plan references (one GET per Secret, per build,
 * shared with the access check through `read`),
 * so they can be masked in step logs. A missing Secret is skipped (its step fails with
 * CreateContainerConfigError anyway); any other failure is a SecretReadError, because a
 * build that asked for redaction must not run without it.
 */
export async function readSecretValues(
  read: ObjectReader,
  plan: BuildPlan,
  logger: Logger,
): Promise<string[]> {
  const values: string[] = [];
  for (const [name, keys] of referencedSecrets(plan)) {
    let data: Record<string, string>;
    try {
      const secret = await read('secret', name);
      if (!secret) {
        logger.debug({ secret: name }, 'referenced secret not found; nothing to redact');
        continue;
      }
      data = secret.data;
    } catch (error) {
      throw new SecretReadError(
        `cannot read secret ${name} to redact its values (status ${httpStatusOf(error) ?? 'none'}): grant "get" on secrets (deploy/rbac.yaml) or turn BERTH_REDACT_REFERENCED_SECRETS off`,
        error,
      );
    }
    for (const [key, encoded] of Object.entries(data)) {
      if (keys && !keys.has(key)) continue;
      values.push(...secretParts(Buffer.from(encoded, 'base64').toString('utf8')));
    }
  }
  return values;
}

/** A single-line value whole; of a multi-line one (a key file, a kubeconfig) its substantial lines. */
function secretParts(value: string): string[] {
  const lines = value.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.length <= 1 ? lines : lines.filter((line) => line.trim().length >= MIN_PART_CHARS);
}

/** `output` with `secrets` masked in every line it is given. */
export function redactingOutput(output: StepOutput, secrets: string[]): StepOutput {
  if (secrets.length === 0) return output;
  const redactor = createRedactor(secrets);
  return {
    write: (stream, chunk) => output.write(stream, redactor.redact(String(chunk))),
    line: (stream, text, time) => output.line(stream, redactor.redact(text), time),
    end: () => output.end(),
  };
}
