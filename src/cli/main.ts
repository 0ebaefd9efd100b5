import type { CliContext, Command } from './command.ts';
import { UsageError } from './command.ts';
import { abortOnSignals } from './signals.ts';

/** Commands load lazily so `berth lint` never pays for the bot's dependencies. */
const commands: Record<string, () => Promise<Command>> = {
  lint: async () => (await import('./lint.ts')).lintCommand,
  plan: async () => (await import('./plan.ts')).planCommand,
  run: async () => (await import('./run.ts')).runCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
};

const HELP = `berth — runs .wharf-ci.yml pipelines; a CI bot for GitHub and GitLab

Usage: berth <command> [options]

Commands:
  lint [path]    check a .wharf-ci.yml and print every problem as FILE:LINE:COL
  plan [path]    print the resolved plan (environment, inputs, variables applied)
  run [path]     run the pipeline of a working tree (local processes or Kubernetes pods)
  serve          the bot: webhooks, queue workers, build pages

Run 'berth <command> --help' for a command's options.
`;

export async function main(argv: string[], ctx: Partial<CliContext> = {}): Promise<number> {
  const controller = new AbortController();
  const full: CliContext = {
    argv: argv.slice(1),
    stdout: ctx.stdout ?? process.stdout,
    stderr: ctx.stderr ?? process.stderr,
    env: ctx.env ?? process.env,
    cwd: ctx.cwd ?? process.cwd(),
    signal: ctx.signal ?? controller.signal,
    // This module is src/cli/main.ts, or dist/cli/main.js in the bundle `npm run build` makes.
    appDir: ctx.appDir ?? new URL('../', import.meta.url),
  };
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    full.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    full.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    full.stderr.write(`berth: unknown command '${name}'\nRun 'berth --help' for the list of commands.\n`);
    return 2;
  }
  const command = await load();
  if (full.argv.includes('--help') || full.argv.includes('-h')) {
    full.stdout.write(command.help);
    return 0;
  }
  const release = ctx.signal ? () => {} : abortOnSignals(controller, full.stderr);
  try {
    return await command.run(full);
  } catch (error) {
    if (error instanceof UsageError) {
      full.stderr.write(`berth ${name}: ${error.message}\nRun 'berth ${name} --help' for usage.\n`);
      return 2;
    }
    throw error;
  } finally {
    release();
  }
}
