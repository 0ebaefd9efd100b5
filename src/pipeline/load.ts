import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Diagnostics, hasErrors, START, sortDiagnostics, strictDiagnostics } from './diagnostics.ts';
import { gitBuildVars } from './git-vars.ts';
import { lintDefinition } from './lint.ts';
import type { PlanOptions } from './options.ts';
import { parseDefinition } from './parse.ts';
import { planBuild } from './plan.ts';
import type { BuildPlan, Diagnostic, PlanResult } from './types.ts';
import { readVarsFiles, varsFileCandidates } from './vars-files.ts';

/** The definition file's name. */
export const DEFINITION_FILE = '.wharf-ci.yml';

/** A working tree's build number: `berth run` is no numbered build. */
const WORKING_TREE_BUILD_VARS: Readonly<Record<string, string>> = Object.freeze({ BUILD_REF: '0' });

/** Options of the working-tree entry points (`berth lint/plan/run`). */
export type LoadOptions = PlanOptions & { cwd: string; userConfigDir?: string };

interface Loaded {
  file: string;
  repoDir: string;
  text: string | null;
  /** Without the estimated variables: they come from git, in parallel with parsing. */
  options: LoadOptions & { file: string };
  estimatedVars: Promise<Record<string, string>>;
  diagnostics: Diagnostic[];
}

/**
 * Text → plan in one call (the bot: file text from the forge, no disk). The plan is
 * null whenever there is an error, so a broken definition can never run.
 */
export function planFromText(
  text: string,
  options: PlanOptions & { file: string },
): Omit<PlanResult, 'plan'> & { plan: BuildPlan | null } {
  return planParsed(parseDefinition(text, options), options);
}

function planParsed(
  parsed: ReturnType<typeof parseDefinition>,
  options: PlanOptions & { file: string },
): Omit<PlanResult, 'plan'> & { plan: BuildPlan | null } {
  const parseDiagnostics = strictDiagnostics(parsed.diagnostics, options.strict);
  if (!parsed.definition) return { plan: null, diagnostics: parseDiagnostics };
  const planned = planBuild(parsed.definition, options);
  const diagnostics = sortDiagnostics([...parseDiagnostics, ...planned.diagnostics]);
  return { plan: hasErrors(diagnostics) ? null : planned.plan, diagnostics };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where `path` (a .wharf-ci.yml or a folder holding one, relative to `cwd`) puts the
 * definition file and the working tree; `shown` is the path as the user gave it,
 * for FILE:LINE:COL lines.
 */
export async function locateDefinition(path: string, cwd: string) {
  const target = resolve(cwd, path);
  const folder = await isDirectory(target);
  const file = folder ? join(target, DEFINITION_FILE) : target;
  return { file, repoDir: dirname(file), shown: folder ? join(path || '.', DEFINITION_FILE) : path };
}

/** Finds the file, reads it and gathers the variable layers of the working tree. */
async function load(path: string, options: LoadOptions): Promise<Loaded> {
  const { file, repoDir, shown } = await locateDefinition(path, options.cwd);
  const diags = new Diagnostics(shown);
  const estimatedVars = options.buildVars ? Promise.resolve({}) : gitBuildVars(repoDir);
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    diags.error(
      START,
      '',
      code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  const varsFiles = await readVarsFiles(varsFileCandidates(repoDir, options.userConfigDir));
  const planOptions = {
    ...options,
    buildVars: options.buildVars ?? WORKING_TREE_BUILD_VARS,
    file: shown,
    varsFiles: [...(options.varsFiles ?? []), ...varsFiles.layers],
  };
  return {
    file: shown,
    repoDir,
    text,
    options: planOptions,
    estimatedVars,
    diagnostics: [...diags.items, ...varsFiles.diagnostics],
  };
}

/** `berth plan/run`: the plan of a `.wharf-ci.yml` (or a folder holding one) in a working tree. */
export async function loadPipeline(
  path: string,
  options: LoadOptions,
): Promise<{ file: string; repoDir: string; plan: BuildPlan | null; diagnostics: Diagnostic[] }> {
  const loaded = await load(path, options);
  const own = strictDiagnostics(loaded.diagnostics, options.strict);
  if (loaded.text === null) {
    await loaded.estimatedVars;
    return { file: loaded.file, repoDir: loaded.repoDir, plan: null, diagnostics: own };
  }
  const parsed = parseDefinition(loaded.text, loaded.options);
  const result = planParsed(parsed, { ...loaded.options, estimatedVars: await loaded.estimatedVars });
  const diagnostics = sortDiagnostics([...own, ...result.diagnostics]);
  return {
    file: loaded.file,
    repoDir: loaded.repoDir,
    plan: hasErrors(diagnostics) ? null : result.plan,
    diagnostics,
  };
}

/** `berth lint`: every problem of the file, each stage checked where it runs. */
export async function lintPipeline(
  path: string,
  options: LoadOptions,
): Promise<{ file: string; repoDir: string; diagnostics: Diagnostic[] }> {
  const loaded = await load(path, options);
  const own = strictDiagnostics(loaded.diagnostics, options.strict);
  if (loaded.text === null) {
    await loaded.estimatedVars;
    return { file: loaded.file, repoDir: loaded.repoDir, diagnostics: own };
  }
  const parsed = parseDefinition(loaded.text, loaded.options);
  const lintOptions = { ...loaded.options, estimatedVars: await loaded.estimatedVars };
  const planned = parsed.definition ? lintDefinition(parsed.definition, lintOptions) : [];
  const diagnostics = sortDiagnostics([
    ...own,
    ...strictDiagnostics(parsed.diagnostics, options.strict),
    ...planned,
  ]);
  return { file: loaded.file, repoDir: loaded.repoDir, diagnostics };
}
