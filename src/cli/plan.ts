import { loadConfig } from '../config/load.ts';
import { loadPipeline } from '../pipeline/index.ts';
import { type Command, parseFlags } from './command.ts';
import { parseInputFlags, pipelineOptions, summary, writeDiagnostics } from './pipeline-options.ts';
import { planJson, renderPlan } from './plan-render.ts';
import { describeRuntime } from './runtime-choice.ts';

/** `berth plan [path] [-e ENV] [-i K=V]… [-s STAGE] [--json] [--strict]`. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'print the resolved plan of a .wharf-ci.yml',
  help: `Usage: berth plan [path] [-e ENV] [-i KEY=VALUE]... [-s STAGE] [--runtime KIND] [-n NS] [--json] [--strict]

Prints what 'berth run' would run for a .wharf-ci.yml (path is the file or a
folder holding one; default: .): the stages that run, in order, with runs-if,
and for each step its image, command, working dir, env, secret references,
mounts and source, after environment filtering and variable substitution.
Secret values (password inputs) are shown as ***. The header names the runtime
'berth run' would use and, on Kubernetes, the namespace and why that one.

Options:
  -e, --environment ENV   select an environment of the file's "environments"
  -i, --input KEY=VALUE   set an input (repeatable; the last value wins)
  -s, --stage STAGE       plan only this stage
      --runtime KIND      local | kubernetes (as for 'berth run')
  -n, --namespace NS      namespace of the step pods (as for 'berth run')
      --json              print the plan as JSON (secret values masked)
      --strict            treat warnings as errors
  -h, --help              show this help

Problems are printed to stderr as FILE:LINE:COL: error|warning: MESSAGE.
Exit status: 0 planned, 1 the file has errors, 2 usage error.
`,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      environment: { type: 'string', short: 'e' },
      input: { type: 'string', short: 'i', multiple: true },
      stage: { type: 'string', short: 's' },
      runtime: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
      strict: { type: 'boolean' },
    });
    const options = {
      ...pipelineOptions(ctx),
      inputs: parseInputFlags(values.input),
      strict: values.strict === true,
      ...(values.environment === undefined ? {} : { environment: values.environment }),
      ...(values.stage === undefined ? {} : { stage: values.stage }),
    };
    const result = await loadPipeline(positionals[0] ?? '.', options);
    const errors = writeDiagnostics(ctx.stderr, result.diagnostics);
    if (!result.plan || errors > 0) {
      ctx.stderr.write(`${result.file}: ${summary(result.diagnostics)}; no plan\n`);
      return 1;
    }
    if (values.json) ctx.stdout.write(`${planJson(result.plan)}\n`);
    else {
      const runtime = await describeRuntime(ctx, loadConfig(ctx.env), values);
      ctx.stdout.write(renderPlan(result.plan, result.file, runtime));
    }
    return 0;
  },
};
