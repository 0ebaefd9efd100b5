import { lintPipeline } from '../pipeline/index.ts';
import { type Command, parseFlags } from './command.ts';
import { pipelineOptions, summary, writeDiagnostics } from './pipeline-options.ts';

/** `berth lint [path] [--strict]`. */
export const lintCommand: Command = {
  name: 'lint',
  summary: 'check a .wharf-ci.yml and print every problem',
  help: `Usage: berth lint [path] [--strict]

Checks a .wharf-ci.yml (path is the file or a folder holding one; default: .)
and prints every problem, sorted, one per line:

  FILE:LINE:COL: error|warning: MESSAGE [scope/path]

Every stage is checked in a context where it runs: without an environment and
once per environment of the file. Variables come from the file, the working
tree's git state, WHARF_VAR_* and the configuration (REG_URL, CHART_REPO, …),
and .wharf-vars.yml files (the folder, its parents, ~/.config/berth/).

Options:
  --strict     treat warnings (undefined variables, unknown fields) as errors
  -h, --help   show this help

Exit status: 0 no errors, 1 errors found, 2 usage error.
`,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, { strict: { type: 'boolean' } });
    const options = pipelineOptions(ctx);
    const result = await lintPipeline(positionals[0] ?? '.', { ...options, strict: values.strict === true });
    const errors = writeDiagnostics(ctx.stdout, result.diagnostics);
    ctx.stderr.write(`${result.file}: ${summary(result.diagnostics)}\n`);
    return errors > 0 ? 1 : 0;
  },
};
