import { loadConfig } from '../config/load.ts';
import { loadPipeline, locateDefinition } from '../pipeline/index.ts';
import { type Command, parseFlags } from './command.ts';
import { parseInputFlags, pipelineOptions, summary, writeDiagnostics } from './pipeline-options.ts';
import { executePlan } from './run-plan.ts';
import { chooseRuntime } from './runtime-choice.ts';

const HELP = `Usage: berth run [path] [options]

Runs the pipeline of a working tree: stages in order, the steps of a stage in
parallel, live logs prefixed [stage/step], a summary table at the end.
path is a .wharf-ci.yml or a folder holding one (default: .).

Options:
  -e, --environment ENV   select an environment of the file
  -i, --input KEY=VALUE   set an input (repeatable; the last value wins)
  -s, --stage STAGE       run only this stage
      --runtime KIND      local | kubernetes | docker (default: BERTH_RUNTIME, else
                          kubernetes when a kubeconfig is found, else local); docker
                          talks to DOCKER_HOST, else /var/run/docker.sock, else a
                          Podman socket (docs/docker.md)
  -n, --namespace NS      namespace of the step pods; without it: BERTH_NAMESPACE,
                          else the kubeconfig context's namespace, else (in a pod)
                          the service account's namespace, else default. The
                          header says which one was used and why.
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
    const options = {
      ...pipelineOptions(ctx),
      inputs: parseInputFlags(values.input),
      strict: values.strict === true,
      ...(values.environment === undefined ? {} : { environment: values.environment }),
      ...(values.stage === undefined ? {} : { stage: values.stage }),
    };
    const config = loadConfig(ctx.env);
    const runtime = await chooseRuntime(ctx, config, values);
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
