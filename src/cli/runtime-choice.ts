import { createLogger, lazyLogger } from '../app/logger.ts';
import type { Config } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { defaultRuntimeKind, selectRuntime } from '../runtime/select.ts';
import type { Runtime, RuntimeKind } from '../runtime/types.ts';
import { type CliContext, UsageError } from './command.ts';

/** SIGTERM → SIGKILL grace for a stopped step's processes. */
const KILL_GRACE_MS = 5000;

/** What `--runtime` and `--namespace` asked for. */
export interface RuntimeFlags {
  runtime?: string | undefined;
  namespace?: string | undefined;
}

/** `--runtime`, else BERTH_RUNTIME, else kubernetes when a kubeconfig is found, else local. */
export function runtimeKind(ctx: CliContext, config: Readonly<Config>, flags: RuntimeFlags): RuntimeKind {
  const asked = parseRuntime(flags.runtime) ?? config.runtime;
  return asked ?? defaultRuntimeKind({ kubeconfig: config.kubernetes.kubeconfig, home: ctx.env.HOME });
}

/** The runtime `berth run` uses; missing cluster access is a usage error. */
export async function chooseRuntime(
  ctx: CliContext,
  config: Readonly<Config>,
  flags: RuntimeFlags,
  startLaunchers = true,
): Promise<Runtime> {
  try {
    return await selectRuntime(runtimeKind(ctx, config, flags), {
      logger: lazyLogger(() => createLogger({ level: 'warn', format: config.log.format }, ctx.stderr)),
      hostEnv: { PATH: ctx.env.PATH, HOME: ctx.env.HOME },
      killGraceMs: KILL_GRACE_MS,
      startLaunchers,
      config,
      // Only when it is about to run: say which container engine, remove a killed run's containers.
      ...(startLaunchers
        ? {
            onEngine: (found: string) => ctx.stderr.write(`berth: container engine ${found}\n`),
            reapInstance: cliInstance(config.instance),
          }
        : {}),
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Where `berth run` would run, for the plan header: `local`, or
 * `kubernetes, namespace: team-a (from the kubeconfig context "ci")`.
 * Never fails: a kubeconfig that cannot be used is named in the text.
 */
export async function describeRuntime(ctx: CliContext, config: Readonly<Config>, flags: RuntimeFlags) {
  const kind = runtimeKind(ctx, config, flags);
  if (kind === 'local') return 'local';
  try {
    return runtimeText(await chooseRuntime(ctx, config, { ...flags, runtime: kind }, false));
  } catch (error) {
    return `${kind} (${(error as Error).message})`;
  }
}

/** `kubernetes, namespace: team-a (from --namespace)`, or the kind alone. */
const runtimeText = (runtime: Runtime): string => `${runtime.kind}${namespaceText(runtime)}`;

/** The `berth.dev/instance` label of `berth run` pods: the configured instance plus `-cli`. */
export const cliInstance = (instance: string): string => `${instance}-cli`;

/** `, namespace: team-a (from --namespace)`, or nothing for a runtime without namespaces. */
export function namespaceText(runtime: Runtime): string {
  const ns = runtime.namespace;
  return ns ? `, namespace: ${ns.name} (${ns.reason})` : '';
}

function parseRuntime(value: string | undefined): RuntimeKind | undefined {
  if (value === undefined || value === 'local' || value === 'kubernetes' || value === 'docker') return value;
  throw new UsageError(`--runtime must be local, kubernetes or docker, got '${value}'`);
}
