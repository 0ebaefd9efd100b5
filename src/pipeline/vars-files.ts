import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { Diagnostics, START } from './diagnostics.ts';
import { lineStartsOf, posAt } from './positions.ts';
import type { Diagnostic } from './types.ts';

/** The variables file of a repository (and of its parent folders, for `berth run`). */
export const VARS_FILE = '.wharf-vars.yml';
/** Names a `.wharf-vars.yml` may have in the user's config folder. */
const USER_FILES = [VARS_FILE, 'wharf-vars.yml'];

/** Candidate files, highest precedence first: repo folder, its parents, then the user's config folder. */
export function varsFileCandidates(repoDir: string, userConfigDir?: string): string[] {
  const files: string[] = [];
  for (let dir = repoDir; ; dir = dirname(dir)) {
    files.push(join(dir, VARS_FILE));
    if (dirname(dir) === dir) break;
  }
  if (userConfigDir) files.push(...USER_FILES.map((name) => join(userConfigDir, name)));
  return files;
}

/** Reads the `vars:` map of every existing candidate; bad files become diagnostics. */
export async function readVarsFiles(
  files: string[],
): Promise<{ layers: Array<Record<string, string>>; diagnostics: Diagnostic[] }> {
  const layers: Array<Record<string, string>> = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of [...new Set(files)]) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const read = varsFromText(text, file);
    layers.push(read.vars);
    diagnostics.push(...read.diagnostics);
  }
  return { layers, diagnostics };
}

/** The `vars:` of one file's text (the bot reads the repository's at the build's commit). */
export function varsFromText(
  text: string,
  file: string,
): { vars: Record<string, string>; diagnostics: Diagnostic[] } {
  const diags = new Diagnostics(file);
  return { vars: parseVarsFile(text, diags), diagnostics: diags.items };
}

/** The `vars:` map of one file: scalar values as text. */
export function parseVarsFile(text: string, diags: Diagnostics): Record<string, string> {
  const lineStarts = lineStartsOf(text);
  const doc = parseDocument(text, { prettyErrors: false });
  for (const e of doc.errors)
    diags.error(posAt(lineStarts, e.pos[0]), '', e.message.split('\n')[0] ?? e.message);
  if (doc.errors.length > 0) return {};
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    diags.error(START, '', `cannot read the variables: ${(error as Error).message}`);
    return {};
  }
  if (data === null || data === undefined) return {};
  const vars = (data as { vars?: unknown }).vars;
  if (
    typeof data !== 'object' ||
    (vars !== undefined && vars !== null && (typeof vars !== 'object' || Array.isArray(vars)))
  ) {
    diags.error(START, 'vars', 'expected a "vars:" map of name: value');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((vars ?? {}) as Record<string, unknown>)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) out[name] = String(value);
    else diags.error(START, `vars/${name}`, `variable "${name}" must be a string, number or boolean`);
  }
  return out;
}
