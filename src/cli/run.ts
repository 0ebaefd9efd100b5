import { createLogger, lazyLogger } from '../app/logger.ts';
import { type Config, loadConfig } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { loadPipeline, locateDefinition } from '../pipeline/index.ts';
import { defaultRuntimeKind, selectRuntime } from '../runtime/select.ts';
import type { RuntimeKind } from '../runtime/types.ts';
import { type CliContext, type Command, parseFlags, UsageError } from './command.ts';
import { parseInputFlags, pipelineOptions, summary, writeDiagnostics } from './pipeline-options.ts';
import { executePlan } from './run-plan.ts';

/** SIGTERM → SIGKILL grace for a stopped step's processes. */
const KILL_GRACE_MS = 5000;

const HELP = `Usage: berth run [path] [options]

Runs the pipeline of a working tree: stages in order, the steps of a stage in
parallel, live logs prefixed [stage/step], a summary table at the end.
path is a .wharf-ci.yml or a folder holding one (default: .).

Options:
  -e, --environment ENV   select an environment of the file
  -i, --input KEY=VALUE   set an input (repeatable; the last value wins)
  -s, --stage STAGE       run only this stage
      --runtime KIND      local | kubernetes (default: BERTH_RUNTIME, else kubernetes
                          when a kubeconfig is found, else local)
  -n, --namespace NS      namespace of the step pods (default: BERTH_NAMESPACE)
      --no-gitignore      give steps every file, also those .gitignore ignores
      --strict            treat warnings (such as undefined variables) as errors

Each step runs in its own copy of the working tree, in BERTH_WORK_DIR (default:
TMPDIR when set, else /dev/shm when it is a tmpfs with room, else /tmp).

Exit status: 0 success, 1 build failed, 2 usage or definition error, 130 interrupted.
Ctrl-C stops the build and cleans up; a second Ctrl-C exits at once.
`;

const FLAGS = {
  environment: { type: 'string', short: 'e' },
  input: { type: 'string', short: 'i', multiple: true },
  stage: { type: 'string', short: 's' },
  runtime: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'no-gitignore': { type: 'boolean' },
  strict: { type: 'boolean' },
} as const;

/** `berth run`: plan the working tree's pipeline and run it here. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run the pipeline of a working tree',
  help: HELP,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, FLAGS);
    const asked = parseRuntime(values.runtime);
    const options = {
      ...pipelineOptions(ctx),
      inputs: parseInputFlags(values.input),
      strict: values.strict === true,
      ...(values.environment === undefined ? {} : { environment: values.environment }),
      ...(values.stage === undefined ? {} : { stage: values.stage }),
    };
    const config = loadConfig(ctx.env);
    const runtime = await pickRuntime(ctx, asked ?? config.runtime, config, values.namespace);
    const path = positionals[0] ?? '.';
    const respectGitignore = values['no-gitignore'] !== true;
    const noBuild = new AbortController();
    const { repoDir } = await locateDefinition(path, ctx.cwd);
    runtime.prepare?.({ dir: repoDir, respectGitignore }, noBuild.signal);
    const loaded = await loadPipeline(path, options);
    const errors = writeDiagnostics(ctx.stderr, loaded.diagnostics);
    if (!loaded.plan || errors > 0) {
      noBuild.abort();
      ctx.stderr.write(`${loaded.file}: ${summary(loaded.diagnostics)}; nothing was run\n`);
      return 2;
    }
    const build = { plan: loaded.plan, file: loaded.file, repoDir: loaded.repoDir, respectGitignore };
    return executePlan(ctx, { ...build, runtime, config });
  },
};

/** The asked-for runtime, else the default for this machine; a missing one is a usage error. */
async function pickRuntime(
  ctx: CliContext,
  asked: RuntimeKind | null,
  config: Readonly<Config>,
  namespace: string | undefined,
) {
  const kind = asked ?? defaultRuntimeKind({ kubeconfig: config.kubernetes.kubeconfig, home: ctx.env.HOME });
  try {
    return await selectRuntime(kind, {
      logger: lazyLogger(() => createLogger({ level: 'warn', format: config.log.format }, ctx.stderr)),
      hostEnv: { PATH: ctx.env.PATH, HOME: ctx.env.HOME },
      killGraceMs: KILL_GRACE_MS,
      startLaunchers: true,
      config,
      ...(namespace === undefined ? {} : { namespace }),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function parseRuntime(value: string | undefined): RuntimeKind | undefined {
  if (value === undefined || value === 'local' || value === 'kubernetes') return value;
  throw new UsageError(`--runtime must be local or kubernetes, got '${value}'`);
}
